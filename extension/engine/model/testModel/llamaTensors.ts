// The tensors of a llama-family model with random weights, each generated on demand in chunks
// of whole rows from its own seeded stream (Q8_0 matrices directly in quantized form).

import type { GgmlTypeName, GgufTensorSpec } from "../gguf/ggufTypes";
import { randomQ8_0Rows, randomRows } from "./randomWeights";
import type { ResolvedTestModel, TestModelShape } from "./testModelShape";

/** Per-layer weight matrices, by the name llama.cpp gives them (blk.N.<module>.weight). */
export const LLAMA_MATRIX_MODULES = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;
export type LlamaMatrixModule = (typeof LLAMA_MATRIX_MODULES)[number];

/** [in, out] in ggml order (dims[0] is the row length) of a layer matrix. */
export function llamaModuleDims(shape: Pick<TestModelShape, "embd" | "heads" | "kvHeads" | "ff">, module: LlamaMatrixModule): [number, number] {
  const kvDim = (shape.embd / shape.heads) * shape.kvHeads;
  switch (module) {
    case "attn_q":
    case "attn_output":
      return [shape.embd, shape.embd];
    case "attn_k":
    case "attn_v":
      return [shape.embd, kvDim];
    case "ffn_gate":
    case "ffn_up":
      return [shape.embd, shape.ff];
    case "ffn_down":
      return [shape.ff, shape.embd];
  }
}

function* ones(n: number): Generator<Float32Array> {
  yield new Float32Array(n).fill(1);
}

/**
 * Weight scales (std = gain / sqrt(fan_in)), chosen by measuring greedy output. The token
 * embedding is small next to what the blocks add, so the residual stream (and with tied
 * embeddings, the logits) is not dominated by the current token; attention adds little, because
 * a strong random attention averages the context into a state that keeps predicting the token
 * that already fills it. With these, greedy decoding gives ~45 distinct tokens in 48 instead of
 * collapsing into one token repeated forever.
 */
const EMBED_GAIN = 0.5;
const OUTPUT_GAIN = 3;
const ATTN_GAIN = 0.3;
const FFN_GAIN = 2;

/**
 * What an architecture adds to or changes in the llama layout, as llama.cpp loads it: per-head
 * RMS norms of Q and K (qwen3, gemma3), norms after attention and after the FFN (gemma3), and a
 * fused gate+up projection in ffn_up with no ffn_gate (phi3).
 */
export interface TensorLayout {
  qkNorm: boolean;
  postNorms: boolean;
  fusedGateUp: boolean;
}

export function tensorLayout(architecture: string): TensorLayout {
  return {
    qkNorm: architecture === "qwen3" || architecture === "gemma3",
    postNorms: architecture === "gemma3",
    fusedGateUp: architecture === "phi3",
  };
}

export interface LlamaTensorPlan {
  tensors: GgufTensorSpec[];
  parameterCount: number;
}

/** Adds to a weight row (e.g. a merged LoRA adapter's B·A); undefined for tensors it leaves alone. */
export type RowDelta = (tensor: string) => ((row: number, values: Float32Array) => void) | undefined;

/** The rows of `rows` (chunks of whole rows of length `rowLength`) with `add` applied to each. */
function* withDelta(rows: Generator<Float32Array>, rowLength: number, add: (row: number, values: Float32Array) => void): Generator<Float32Array> {
  let row = 0;
  for (const chunk of rows) {
    for (let at = 0; at < chunk.length; at += rowLength) add(row++, chunk.subarray(at, at + rowLength));
    yield chunk;
  }
}

export function planLlamaTensors(model: ResolvedTestModel, rowScale: (token: number) => number, rowDelta?: RowDelta): LlamaTensorPlan {
  const { shape, seed } = model;
  const big: GgmlTypeName = shape.type === "q8_0" ? "Q8_0" : shape.type === "f16" ? "F16" : "F32";
  const tensors: GgufTensorSpec[] = [];
  const matrix = (name: string, dims: [number, number], std: number, scale?: (row: number) => number): void => {
    const add = rowDelta?.(name);
    if (add && big === "Q8_0") throw new Error(`A row delta for ${name} needs an F32 or F16 model.`);
    if (big === "Q8_0") tensors.push({ name, dims, type: big, encoded: () => randomQ8_0Rows(seed, name, dims, std, scale) });
    else tensors.push({ name, dims, type: big, data: () => (add ? withDelta(randomRows(seed, name, dims, std, scale), dims[0], add) : randomRows(seed, name, dims, std, scale)) });
  };
  const norm = (name: string, n: number): void => {
    tensors.push({ name, dims: [n], type: "F32", data: () => ones(n) });
  };

  const layout = tensorLayout(model.architecture);
  const headDim = shape.embd / shape.heads;
  // With tied embeddings token_embd is also the output matrix, so it gets the output's scale.
  const embedStd = (model.tiedEmbeddings ? OUTPUT_GAIN : EMBED_GAIN) / Math.sqrt(shape.embd);
  matrix("token_embd.weight", [shape.embd, shape.vocab], embedStd, rowScale);
  for (let layer = 0; layer < shape.layers; layer++) {
    norm(`blk.${layer}.attn_norm.weight`, shape.embd);
    for (const module of LLAMA_MATRIX_MODULES) {
      if (module === "ffn_gate") {
        if (layout.postNorms) norm(`blk.${layer}.post_attention_norm.weight`, shape.embd);
        norm(`blk.${layer}.ffn_norm.weight`, shape.embd);
        if (layout.fusedGateUp) continue;
      }
      const [rows, cols] = llamaModuleDims(shape, module);
      const dims: [number, number] = module === "ffn_up" && layout.fusedGateUp ? [rows, 2 * cols] : [rows, cols];
      const gain = module === "attn_output" ? ATTN_GAIN : module === "ffn_down" ? FFN_GAIN : 1;
      matrix(`blk.${layer}.${module}.weight`, dims, gain / Math.sqrt(dims[0]));
      if (module === "attn_k" && layout.qkNorm) {
        norm(`blk.${layer}.attn_q_norm.weight`, headDim);
        norm(`blk.${layer}.attn_k_norm.weight`, headDim);
      }
    }
    if (layout.postNorms) norm(`blk.${layer}.post_ffw_norm.weight`, shape.embd);
  }
  norm("output_norm.weight", shape.embd);
  if (!model.tiedEmbeddings) matrix("output.weight", [shape.embd, shape.vocab], OUTPUT_GAIN / Math.sqrt(shape.embd), rowScale);

  const parameterCount = tensors.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
  return { tensors, parameterCount };
}
