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
  /** Where it would run: wholly on the GPU, or on the CPU (RAM). */
  runsOn: "gpu" | "cpu";
  /** CPU only: the estimated generation speed (see estimateCpuTokensPerSecond). */
  cpuTokensPerSecond?: number;
  /** One line for the user: how this entry fits this machine. */
  reason: string;
  /** The single best choice for this machine. */
  recommended: boolean;
}

/** What the recommendation depends on. Only RAM is required; the rest comes from the engine. */
export interface MachineMemory {
  totalRamBytes: number;
  /** Cores llama.cpp computes with (undefined: unknown, RAM alone decides). */
  cpuCores?: number;
  /** A GPU llama.cpp can use here. */
  gpu?: { backend: string; name: string; vramBytes: number };
}

const GIB = 1024 ** 3;
/**
 * CPU generation is bound by memory bandwidth: each token reads every weight once. Bandwidth one
 * llama.cpp thread draws (a conservative figure for laptop/desktop DDR4–DDR5), and the most a
 * desktop's memory channels give however many threads run.
 */
const CPU_BYTES_PER_SECOND_PER_CORE = 5e9;
const CPU_MAX_BYTES_PER_SECOND = 50e9;
/** Slowest generation worth recommending: an agent run writes ~2,000 tokens, ~3 minutes at 10/s. */
export const MIN_RECOMMENDED_TOKENS_PER_SECOND = 10;
/** Part of the VRAM a model may fill (the rest: the display, other programs, fragmentation). */
const VRAM_USABLE = 0.9;

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

/** Estimated tokens/s generating with `cores` CPU threads (an estimate from bandwidth, not a measurement). */
export function estimateCpuTokensPerSecond(entry: Pick<CatalogEntry, "sizeBytes">, cores: number): number {
  return Math.min(cores * CPU_BYTES_PER_SECOND_PER_CORE, CPU_MAX_BYTES_PER_SECOND) / entry.sizeBytes;
}

function fitOne(entry: CatalogEntry, machine: MachineMemory): FittedEntry {
  const gpu = machine.gpu;
  if (gpu && entry.vramBytes <= gpu.vramBytes * VRAM_USABLE) {
    return { entry, fit: "fits", runsOn: "gpu", recommended: false, reason: `runs wholly on the GPU (${gpu.name}): needs ${formatBytes(entry.vramBytes)} of its ${formatBytes(gpu.vramBytes)}` };
  }
  const fit = fitLevel(entry, machine);
  const ram = `needs ${formatBytes(entry.ramBytes)} of ${formatBytes(machine.totalRamBytes)} RAM`;
  if (fit === "too-large") return { entry, fit, runsOn: "cpu", recommended: false, reason: `too large: ${ram}` };
  const where = gpu ? `too large for the GPU's ${formatBytes(gpu.vramBytes)}, so mostly on the CPU` : "on the CPU";
  const tight = fit === "tight" ? "; only fits in the last GiB, so the editor may swap" : "";
  if (machine.cpuCores === undefined) return { entry, fit, runsOn: "cpu", recommended: false, reason: `${where}: ${ram}${tight}` };
  const speed = estimateCpuTokensPerSecond(entry, machine.cpuCores);
  return { entry, fit, runsOn: "cpu", cpuTokensPerSecond: speed, recommended: false, reason: `${where} (${machine.cpuCores} cores): about ${Math.max(1, Math.round(speed))} tokens/s (estimate); ${ram}${tight}` };
}

/**
 * Marks every entry by how it fits, and recommends one. With a GPU: the largest 4-bit (Q4_K_M,
 * the best quality per byte) model that fits in its VRAM. On the CPU: the largest Q4_K_M that fits
 * in RAM and still generates at MIN_RECOMMENDED_TOKENS_PER_SECOND on these cores (an agent at 2
 * tokens/s is not usable, however good). Failing those: the largest that fits, else the smallest.
 */
export function fitCatalog(entries: readonly CatalogEntry[], memory: MachineMemory): FittedEntry[] {
  const fitted = entries.map((entry) => fitOne(entry, memory));
  const byParams = (a: FittedEntry, b: FittedEntry) => b.entry.parameters - a.entry.parameters || a.entry.ramBytes - b.entry.ramBytes;
  const q4 = (f: FittedEntry) => f.entry.quantization === "Q4_K_M";
  const onGpu = fitted.filter((f) => f.runsOn === "gpu");
  const fitting = fitted.filter((f) => f.fit === "fits");
  const fastEnough = fitting.filter((f) => f.cpuTokensPerSecond === undefined || f.cpuTokensPerSecond >= MIN_RECOMMENDED_TOKENS_PER_SECOND);
  const candidates: [FittedEntry | undefined, string][] = [
    [onGpu.filter(q4).sort(byParams)[0], "the largest 4-bit model that fits in the GPU's memory"],
    [onGpu.sort(byParams)[0], "the largest model that fits in the GPU's memory"],
    [fastEnough.filter(q4).sort(byParams)[0], memory.cpuCores === undefined ? "the largest 4-bit model that fits in RAM" : `the largest 4-bit model that fits in RAM and generates ≥ ${MIN_RECOMMENDED_TOKENS_PER_SECOND} tokens/s on ${memory.cpuCores} cores`],
    [[...fitting].sort((a, b) => a.entry.sizeBytes - b.entry.sizeBytes)[0], "the fastest model that fits: none reaches the speed an agent needs on this CPU"],
    [[...fitted].sort((a, b) => a.entry.ramBytes - b.entry.ramBytes)[0], "the smallest model: none fits this machine's free memory"],
  ];
  const [best, why] = candidates.find(([candidate]) => candidate) ?? [undefined, ""];
  if (best) {
    best.recommended = true;
    best.reason = `recommended, ${why}: ${best.reason}`;
  }
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
