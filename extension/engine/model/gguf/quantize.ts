// Element encoders for GGUF tensor data: F32, F16 and Q8_0 (ggml's block_q8_0), little-endian.

import { Q8_0_BLOCK, Q8_0_BLOCK_BYTES, type GgmlTypeName } from "./ggufTypes";

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half-precision bits of `x`, rounded to nearest, ties to even (as ggml's converter does). */
export function f32ToF16Bits(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: Inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the 24-bit significand into 10 bits.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Quantizes `src` (length a multiple of 32) into Q8_0 blocks: per block d = max|x| / 127,
 * q = round(x / d) with halves away from zero (C's roundf), stored as f16(d) then 32 int8.
 * Mirrors ggml's quantize_row_q8_0_ref. Hot loop: it runs once per weight of a 0.5B model.
 */
export function quantizeQ8_0(src: Float32Array, out: Uint8Array = new Uint8Array((src.length / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES), outOffset = 0): Uint8Array {
  if (src.length % Q8_0_BLOCK !== 0) throw new RangeError(`Q8_0 needs a multiple of ${Q8_0_BLOCK} values, got ${src.length}`);
  const q = new Int8Array(out.buffer, out.byteOffset, out.length);
  let o = outOffset;
  for (let b = 0; b < src.length; b += Q8_0_BLOCK) {
    let amax = 0;
    for (let i = b; i < b + Q8_0_BLOCK; i++) {
      const v = src[i];
      const a = v < 0 ? -v : v;
      if (a > amax) amax = a;
    }
    const d = Math.fround(amax / 127);
    const id = d ? 1 / d : 0;
    const h = f32ToF16Bits(d);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    o += 2;
    for (let i = b; i < b + Q8_0_BLOCK; i++) {
      const v = src[i] * id; // |v| <= 127, so `| 0` truncates safely
      q[o++] = v < 0 ? -((0.5 - v) | 0) : (v + 0.5) | 0;
    }
  }
  return out;
}

export function dequantizeQ8_0(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let b = 0, o = 0; o < count; b += Q8_0_BLOCK_BYTES) {
    const d = f16BitsToF32(bytes[b] | (bytes[b + 1] << 8));
    for (let i = 0; i < Q8_0_BLOCK; i++, o++) out[o] = d * ((bytes[b + 2 + i] << 24) >> 24);
  }
  return out;
}

export function encodeF16(src: Float32Array, out: Uint8Array = new Uint8Array(src.length * 2), outOffset = 0): Uint8Array {
  for (let i = 0, o = outOffset; i < src.length; i++, o += 2) {
    const h = f32ToF16Bits(src[i]);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
  }
  return out;
}

export function decodeF16(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = f16BitsToF32(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  return out;
}

/** Encodes F32 values as little-endian bytes (a copy; the host is checked to be little-endian). */
export function encodeF32(src: Float32Array): Uint8Array {
  return new Uint8Array(src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength));
}

/** Encodes `src` as `type`. */
export function encodeTensorChunk(type: GgmlTypeName, src: Float32Array): Uint8Array {
  switch (type) {
    case "F32":
      return encodeF32(src);
    case "F16":
      return encodeF16(src);
    case "Q8_0":
      return quantizeQ8_0(src);
  }
}

/** Decodes `count` values of `type` (the inverse of encodeTensorChunk, up to rounding). */
export function decodeTensorData(type: GgmlTypeName, bytes: Uint8Array, count: number): Float32Array {
  switch (type) {
    case "F32":
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 4));
    case "F16":
      return decodeF16(bytes, count);
    case "Q8_0":
      return dequantizeQ8_0(bytes, count);
  }
}
