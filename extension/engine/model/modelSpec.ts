// Validates a ModelSpec and fills in defaults, so the rest of the host works with plain numbers.
import path from "node:path";
import { CladeError } from "../../protocol/errors";
import type { GpuChoice, LoraSpec, ModelSpec } from "../../protocol/model";

export interface NormalizedSpec {
  model: string;
  gpu: GpuChoice;
  /** "auto" = as many as fit. */
  gpuLayers: number | "auto";
  /** Total context size (split over the sequences); undefined with contextPerSequence undefined = sized by the host. */
  contextSize?: number;
  /** Tokens per sequence; overrides contextSize. */
  contextPerSequence?: number;
  /** 0 = the measured default for this machine. */
  threads: number;
  sequences: number;
  lora: Required<LoraSpec>[];
  cacheDir?: string;
}

const gpuChoices: readonly GpuChoice[] = ["auto", "cuda", "metal", "vulkan", "cpu"];
/**
 * Without a size from the user, each sequence gets what the model was trained for, at most
 * autoContextMax (users run 7-8B models with 8k-32k per agent run: REAL_MODELS.md) and at least
 * autoContextMin where the model allows, shrunk by node-llama-cpp to what fits in (V)RAM.
 */
export const autoContextMax = 32_768;
export const autoContextMin = 2_048;
export const minContextPerSequence = 64;
/** Larger values overflow node-llama-cpp's memory estimate (measured: 2^29 was not caught and the engine was OOM-killed). */
export const maxContextSize = 1 << 26;

export function normalizeSpec(spec: ModelSpec): NormalizedSpec {
  const gpu = spec.gpu ?? "auto";
  if (!gpuChoices.includes(gpu)) invalid("gpu", `must be one of ${gpuChoices.join(", ")}`);
  const sequences = integer("sequences", spec.sequences ?? 1, 1, 64);
  const contextSize = spec.contextSize === undefined ? undefined : integer("contextSize", spec.contextSize, minContextPerSequence * sequences, maxContextSize);
  const contextPerSequence = spec.contextPerSequence === undefined ? undefined : integer("contextPerSequence", spec.contextPerSequence, minContextPerSequence, Math.floor(maxContextSize / sequences));
  const gpuLayers = integer("gpuLayers", spec.gpuLayers ?? -1, -1, 100_000);
  return {
    model: spec.model,
    gpu,
    gpuLayers: gpuLayers < 0 ? "auto" : gpuLayers,
    contextSize,
    contextPerSequence,
    threads: integer("threads", spec.threads ?? 0, 0, 1024),
    sequences,
    lora: (spec.lora ?? []).map(normalizeLora),
    cacheDir: spec.cacheDir,
  };
}

export function normalizeLora(lora: LoraSpec): Required<LoraSpec> {
  if (typeof lora?.file !== "string" || !path.isAbsolute(lora.file)) {
    invalid("lora", `file must be an absolute path to a GGUF adapter, got ${JSON.stringify(lora?.file)}`);
  }
  return { file: path.normalize(lora.file), scale: lora.scale ?? 1 };
}

export function sameLora(a: readonly Required<LoraSpec>[], b: readonly Required<LoraSpec>[]): boolean {
  return a.length === b.length && a.every((item, i) => item.file === b[i].file && item.scale === b[i].scale);
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) invalid(name, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  return value;
}

function invalid(name: string, why: string): never {
  throw new CladeError("invalid-argument", `Model setting ${name} ${why}.`, `Fix ${name} (VS Code: clade.model.${name}).`);
}
