import { describe, expect, it } from "vitest";
import { dequantizeQ8_0, decodeF16, encodeF16, f16BitsToF32, f32ToF16Bits, quantizeQ8_0 } from "../../extension/engine/model/gguf/quantize";
import { Prng } from "../../extension/engine/model/testModel/prng";

describe("f16 conversion", () => {
  it("encodes known values", () => {
    expect(f32ToF16Bits(0)).toBe(0x0000);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(0.5)).toBe(0x3800);
    expect(f32ToF16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // rounds up to Inf
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(f32ToF16Bits(NaN) & 0x3ff).not.toBe(0);
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(f32ToF16Bits(2 ** -26)).toBe(0x0000); // underflows to zero
  });

  it("rounds to nearest, ties to even", () => {
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, even stays
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd rounds up
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(0x0002); // subnormal tie 1.5 → 2
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // subnormal tie 0.5 → 0
  });

  it("round-trips every finite half value", () => {
    for (let h = 0; h < 0x10000; h++) {
      const e = (h >>> 10) & 0x1f;
      if (e === 0x1f) continue; // Inf / NaN
      expect(f32ToF16Bits(f16BitsToF32(h))).toBe(h);
    }
  });

  it("encodes arrays little-endian and decodes them back", () => {
    const src = new Float32Array([1, -2, 0.333, 1000.5, -0.0001]);
    const bytes = encodeF16(src);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x3c, 0x00, 0xc0]);
    const back = decodeF16(bytes, src.length);
    for (let i = 0; i < src.length; i++) expect(Math.abs(back[i] - src[i])).toBeLessThanOrEqual(Math.abs(src[i]) * 2 ** -11);
  });
});

describe("Q8_0", () => {
  it("stays within half a quantization step (plus f16 scale rounding) of the input", () => {
    const src = new Float32Array(32 * 256);
    new Prng(7, "q8").fillUniform(src, 1);
    // Vary the scale per block, including tiny and huge blocks.
    for (let b = 0; b < 256; b++) for (let i = 0; i < 32; i++) src[b * 32 + i] *= 10 ** ((b % 9) - 4);
    const bytes = quantizeQ8_0(src);
    expect(bytes.length).toBe(256 * 34);
    const back = dequantizeQ8_0(bytes, src.length);
    for (let b = 0; b < 256; b++) {
      let amax = 0;
      for (let i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(src[b * 32 + i]));
      // q = round(x/d) is off by ≤ 0.5 steps, and d = amax/127 is stored as f16: relative error
      // ≤ 2^-11, or absolute ≤ 2^-25 where d is an f16 subnormal (tiny blocks).
      const d = amax / 127;
      const bound = (0.5 * d + 127 * Math.max(d * 2 ** -11, 2 ** -25)) * 1.001;
      for (let i = 0; i < 32; i++) expect(Math.abs(back[b * 32 + i] - src[b * 32 + i])).toBeLessThanOrEqual(bound);
    }
  });

  it("writes ggml's block layout: f16 scale then 32 int8, halves rounded away from zero", () => {
    const src = new Float32Array(32);
    src[0] = 127; // amax → d = 1 exactly
    src[1] = -127;
    src[2] = 2.5; // → 3
    src[3] = -2.5; // → -3
    src[4] = 0.49;
    const bytes = quantizeQ8_0(src);
    expect(bytes[0] | (bytes[1] << 8)).toBe(0x3c00); // d = 1.0
    const q = new Int8Array(bytes.buffer, 2, 32);
    expect(Array.from(q.subarray(0, 6))).toEqual([127, -127, 3, -3, 0, 0]);
  });

  it("encodes an all-zero block as d = 0 and zeros", () => {
    const bytes = quantizeQ8_0(new Float32Array(32));
    expect(Array.from(bytes)).toEqual(new Array(34).fill(0));
    expect(Array.from(dequantizeQ8_0(bytes, 32))).toEqual(new Array(32).fill(0));
  });

  it("refuses a length that is not a multiple of 32", () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(RangeError);
  });
});
