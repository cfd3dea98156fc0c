// Writes a random LoRA adapter GGUF for a generated (or any llama-family) model, in llama.cpp's
// layout (llama-adapter.cpp): for a base weight W with ggml dims [in, out], lora_a has dims
// [in, rank] and lora_b [rank, out]; the layer computes W·x + scale·(alpha/rank)·B·(A·x).
// B is non-zero (unlike a freshly initialised trainable adapter) so the adapter visibly changes
// the model's output.

import { access, mkdir } from "node:fs/promises";
import * as path from "node:path";
import { CladeError } from "../../../protocol/errors";
import { writeGgufFile } from "../gguf/ggufWriter";
import { gv, type GgufTensorSpec } from "../gguf/ggufTypes";
import { LLAMA_MATRIX_MODULES, llamaModuleDims, type LlamaMatrixModule } from "./llamaTensors";
import { randomRows } from "./randomWeights";
import type { TestModelShape } from "./testModelShape";

export interface TestLoraAdapterOptions {
  /** The model the adapter is for: a generated model's shape, or the path of a GGUF model. */
  base: TestModelShape | string;
  out: string;
  seed?: number;
  /** Default 8. */
  rank?: number;
  /** Default: equal to rank (so the adapter's scale factor alpha/rank is 1). */
  alpha?: number;
  /** Layer matrices to adapt, by llama.cpp name. Default ["attn_q", "attn_output", "ffn_up"]. */
  modules?: string[];
  /** Standard deviation of B's entries. Default 1/sqrt(rank): the change is as large as W·x. */
  bScale?: number;
  /** Architecture written in the adapter when `base` is a shape (default "llama"); it must match the model's. */
  architecture?: string;
}

export interface TestLoraAdapterResult {
  file: string;
  sha256: string;
  sizeBytes: number;
  architecture: string;
  rank: number;
  alpha: number;
  modules: string[];
  /** Number of adapted matrices (layers × modules). */
  targets: number;
  parameterCount: number;
}

interface AdapterTarget {
  /** Base tensor name, e.g. blk.0.attn_q.weight. */
  name: string;
  dims: [number, number];
}

const DEFAULT_MODULES = ["attn_q", "attn_output", "ffn_up"];

function invalid(message: string, fix: string): CladeError {
  return new CladeError("invalid-argument", message, fix);
}

function targetsFromShape(shape: TestModelShape, modules: readonly string[]): AdapterTarget[] {
  for (const m of modules) {
    if (!(LLAMA_MATRIX_MODULES as readonly string[]).includes(m)) throw invalid(`Unknown LoRA module "${m}".`, `Use some of: ${LLAMA_MATRIX_MODULES.join(", ")}.`);
  }
  const targets: AdapterTarget[] = [];
  for (let layer = 0; layer < shape.layers; layer++) {
    for (const m of modules) targets.push({ name: `blk.${layer}.${m}.weight`, dims: llamaModuleDims(shape, m as LlamaMatrixModule) });
  }
  return targets;
}

async function targetsFromModelFile(file: string, modules: readonly string[]): Promise<{ architecture: string; targets: AdapterTarget[] }> {
  try {
    await access(file);
  } catch {
    throw new CladeError("model-missing", `The base model ${file} does not exist.`, "Pass the path of the GGUF model the adapter is for.");
  }
  // Loaded on demand: node-llama-cpp is heavy, and only this path needs it.
  const { readGgufFileInfo } = await import("node-llama-cpp");
  const info = await readGgufFileInfo(file, { logWarnings: false, ignoreKeys: ["tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"] }).catch((error: unknown) => {
    throw new CladeError("model-not-gguf", `${file} is not a readable GGUF model: ${error instanceof Error ? error.message : String(error)}`, "Pass the path of a GGUF model file.", undefined, { cause: error });
  });
  const byName = new Map((info.tensorInfo ?? []).map((t) => [t.name, t.dimensions.map(Number)]));
  const layers = Number(info.architectureMetadata.block_count ?? 0);
  const targets: AdapterTarget[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (const m of modules) {
      const dims = byName.get(`blk.${layer}.${m}.weight`);
      if (dims && dims.length === 2) targets.push({ name: `blk.${layer}.${m}.weight`, dims: [dims[0], dims[1]] });
    }
  }
  const missing = modules.filter((m) => !targets.some((t) => t.name.endsWith(`.${m}.weight`)));
  if (missing.length > 0) throw invalid(`The model ${file} has no layer matrices named ${missing.join(", ")}.`, "Pick modules that exist in the model (e.g. attn_q, attn_output, ffn_up).");
  return { architecture: String(info.metadata.general.architecture), targets };
}

function adapterTensors(targets: readonly AdapterTarget[], rank: number, bScale: number, seed: number): GgufTensorSpec[] {
  return targets.flatMap(({ name, dims: [inDim, outDim] }): GgufTensorSpec[] => {
    const aName = `${name}.lora_a`;
    const bName = `${name}.lora_b`;
    return [
      { name: aName, dims: [inDim, rank], type: "F32", data: () => randomRows(seed, aName, [inDim, rank], 1 / Math.sqrt(inDim)) },
      { name: bName, dims: [rank, outDim], type: "F32", data: () => randomRows(seed, bName, [rank, outDim], bScale) },
    ];
  });
}

export async function writeTestLoraAdapter(options: TestLoraAdapterOptions): Promise<TestLoraAdapterResult> {
  const rank = options.rank ?? 8;
  const alpha = options.alpha ?? rank;
  const seed = options.seed ?? 0;
  const modules = options.modules ?? DEFAULT_MODULES;
  const bScale = options.bScale ?? 1 / Math.sqrt(rank);
  if (!Number.isInteger(rank) || rank < 1 || rank > 4096) throw invalid(`LoRA rank must be an integer from 1 to 4096, got ${rank}.`, "Pass a valid rank.");
  if (!Number.isFinite(alpha) || !Number.isFinite(bScale)) throw invalid("LoRA alpha and bScale must be finite numbers.", "Pass valid numbers.");
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw invalid(`The seed must be an integer from 0 to 4294967295, got ${seed}.`, "Pass a valid seed.");
  if (modules.length === 0) throw invalid("No LoRA modules were given.", "Pass at least one module, e.g. attn_q.");

  const { architecture, targets } =
    typeof options.base === "string"
      ? await targetsFromModelFile(options.base, modules)
      : { architecture: options.architecture ?? "llama", targets: targetsFromShape(options.base, modules) };
  const tensors = adapterTensors(targets, rank, bScale, seed);
  const file = path.resolve(options.out);
  await mkdir(path.dirname(file), { recursive: true });
  const written = await writeGgufFile(file, {
    metadata: [
      ["general.architecture", gv.str(architecture)],
      ["general.type", gv.str("adapter")],
      ["general.name", gv.str("Clade test LoRA adapter")],
      ["general.alignment", gv.u32(32)],
      ["adapter.type", gv.str("lora")],
      ["adapter.lora.alpha", gv.f32(alpha)],
      ["clade.test_adapter.seed", gv.u32(seed)],
    ],
    tensors,
  });
  const parameterCount = tensors.reduce((n, t) => n + t.dims[0] * t.dims[1], 0);
  return { ...written, architecture, rank, alpha, modules: [...modules], targets: targets.length, parameterCount };
}
