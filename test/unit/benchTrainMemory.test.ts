// The memory model behind `clade bench train`'s 7B / 8B estimates: its exact terms by hand, and the
// calibration recovering the scale a measured peak was made with.
import { describe, expect, it } from "vitest";
import { calibrateScale, ESTIMATE_MODELS, trainingMemory, type MemoryShape } from "../../extension/engine/train/benchTrain";

const qwen7b = ESTIMATE_MODELS.find((m) => m.name.startsWith("Qwen2.5-7B"))!.shape;

describe("training memory model", () => {
  it("computes the exact terms: F32 KV cache over the window, adapter + gradient + AdamW moments", () => {
    const m = trainingMemory(qwen7b, { window: 8192, microBatch: 32, rank: 16, scale: 1, baselineBytes: 0 });
    // 2 (K, V) x 28 layers x 4 KV heads x 128 x 8192 positions x 4 bytes
    expect(m.kvCache).toBe(2 * 28 * 4 * 128 * 8192 * 4);
    // rank 16 on attn_q (3584 -> 3584), attn_output (3584 -> 3584), ffn_gate/up (3584 -> 18944), ffn_down (18944 -> 3584)
    const perLayer = 16 * (2 * 3584 + 2 * 3584 + 2 * (3584 + 18944) + (18944 + 3584));
    expect(m.adapterParams).toBe(28 * perLayer);
    expect(m.adapter).toBe(16 * 28 * perLayer);
    // attention scores + softmax per layer and head: microBatch x window F32 each
    expect(m.attention).toBe(2 * 28 * 28 * 32 * 8192 * 4);
    expect(m.total).toBe(m.weights + m.activations + m.attention + m.kvCache + m.adapter);
  });

  it("scales the per-token terms with the micro-batch and the attention with the window too", () => {
    const a = trainingMemory(qwen7b, { window: 4096, microBatch: 32, rank: 16, scale: 1, baselineBytes: 0 });
    const b = trainingMemory(qwen7b, { window: 8192, microBatch: 64, rank: 16, scale: 1, baselineBytes: 0 });
    expect(b.activations).toBe(2 * a.activations);
    expect(b.attention).toBe(4 * a.attention);
    expect(b.kvCache).toBe(2 * a.kvCache);
  });

  it("calibration recovers the scale a peak was made with, and never goes negative", () => {
    const shape: MemoryShape = { layers: 24, embd: 896, ff: 4864, heads: 14, kvHeads: 2, headDim: 64, vocab: 151936, weightBytes: 530e6 };
    const o = { window: 256, microBatch: 128, rank: 16, baselineBytes: 16e6 };
    const peak = trainingMemory(shape, { ...o, scale: 1.3 }).total;
    expect(calibrateScale(shape, peak, o)).toBeCloseTo(1.3, 10);
    expect(calibrateScale(shape, 100e6, o)).toBe(0);
  });
});
