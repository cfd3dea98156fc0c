// The recommended-model catalog (native-models/catalog.json): parsing with clear errors, and fitting
// each entry to this machine's memory. Pure: no `vscode` import, so unit tests load it directly.
import { CladeError } from "../../protocol/errors";

export interface CatalogEntry {
  id: string;
  /** Display name, e.g. "Qwen2.5-Coder 1.5B Instruct". */
  name: string;
  parameters: number;
  quantization: string;
  /** hf: URI that `clade.model.path` accepts. */
  uri: string;
  sizeBytes: number;
  /** Memory a CPU-only load needs (weights + KV cache + buffers). */
  ramBytes: number;
  /** Memory a full GPU offload needs. */
  vramBytes: number;
  contextLength: number;
  /** One line: why pick this one. */
  why: string;
}

export type FitLevel = "fits" | "tight" | "too-large";

export interface FittedEntry {
  entry: CatalogEntry;
  fit: FitLevel;
  /** The single best choice for this machine. */
  recommended: boolean;
}

export interface MachineMemory {
  totalRamBytes: number;
}

const GIB = 1024 ** 3;

/** Validates the catalog file's JSON; every problem names the entry and the field. */
export function parseCatalog(json: unknown): CatalogEntry[] {
  const models = (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw catalogError("it has no `models` array");
  const ids = new Set<string>();
  return models.map((raw, index) => {
    const entry = checkEntry(raw, index);
    if (ids.has(entry.id)) throw catalogError(`entry ${index} repeats the id "${entry.id}"`);
    ids.add(entry.id);
    return entry;
  });
}

function checkEntry(raw: unknown, index: number): CatalogEntry {
  if (typeof raw !== "object" || raw === null) throw catalogError(`entry ${index} is not an object`);
  const record = raw as Record<string, unknown>;
  const where = `entry ${index}${typeof record.id === "string" ? ` ("${record.id}")` : ""}`;
  for (const key of ["id", "name", "quantization", "uri", "why"] as const) {
    if (typeof record[key] !== "string" || record[key] === "") throw catalogError(`${where} needs a non-empty string \`${key}\``);
  }
  for (const key of ["parameters", "sizeBytes", "ramBytes", "vramBytes", "contextLength"] as const) {
    const value = record[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw catalogError(`${where} needs a positive number \`${key}\``);
  }
  if (!String(record.uri).startsWith("hf:")) throw catalogError(`${where} has a \`uri\` that is not an hf: URI`);
  if ((record.ramBytes as number) < (record.sizeBytes as number)) throw catalogError(`${where} needs less RAM than its file size`);
  return record as unknown as CatalogEntry;
}

function catalogError(problem: string): CladeError {
  return new CladeError("internal", `The model catalog (native-models/catalog.json) is invalid: ${problem}.`, "This is a bug in Clade's packaged catalog; pick a model with \"Browse for a GGUF file…\" meanwhile and report it.");
}

/**
 * RAM the model may use and still leave the editor, the OS and the test processes room:
 * the total less a quarter of it, but at least 2 GiB kept back.
 */
export function usableRamBytes(memory: MachineMemory): number {
  return Math.max(0, memory.totalRamBytes - Math.max(2 * GIB, memory.totalRamBytes / 4));
}

export function fitLevel(entry: CatalogEntry, memory: MachineMemory): FitLevel {
  if (entry.ramBytes <= usableRamBytes(memory)) return "fits";
  if (entry.ramBytes <= memory.totalRamBytes - GIB) return "tight";
  return "too-large";
}

/**
 * Marks every entry by how it fits, and recommends one: the largest 4-bit (Q4_K_M) model that
 * fits (the best quality per byte), else the largest that fits, else the smallest entry.
 */
export function fitCatalog(entries: readonly CatalogEntry[], memory: MachineMemory): FittedEntry[] {
  const fitted = entries.map((entry) => ({ entry, fit: fitLevel(entry, memory), recommended: false }));
  const fitting = fitted.filter((f) => f.fit === "fits");
  const byParams = (a: FittedEntry, b: FittedEntry) => b.entry.parameters - a.entry.parameters || a.entry.ramBytes - b.entry.ramBytes;
  const best =
    fitting.filter((f) => f.entry.quantization === "Q4_K_M").sort(byParams)[0] ??
    fitting.sort(byParams)[0] ??
    [...fitted].sort((a, b) => a.entry.ramBytes - b.entry.ramBytes)[0];
  if (best) best.recommended = true;
  return fitted;
}

/** "1.5B", "494M": the parameter count the way model names write it. */
export function formatParameters(count: number): string {
  if (count >= 1e9) return `${trimZero((count / 1e9).toFixed(1))}B`;
  if (count >= 1e6) return `${trimZero((count / 1e6).toFixed(1))}M`;
  if (count >= 1e3) return `${trimZero((count / 1e3).toFixed(1))}K`;
  return String(count);
}

/** "1.7 GB", "398 MB" (decimal units, as the hub shows them). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} B`;
}

function trimZero(text: string): string {
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}
