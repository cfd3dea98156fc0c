// Random weight generators: uniform values of a given standard deviation, produced a few whole
// rows at a time from a named seeded stream (so a tensor's values depend only on seed and name).

import { Q8_0_BLOCK, Q8_0_BLOCK_BYTES } from "../gguf/ggufTypes";
import { f32ToF16Bits } from "../gguf/quantize";
import { Prng } from "./prng";

const CHUNK_ELEMENTS = 1 << 18;

/**
 * F32 rows, `std` scaled per row by `rowScale`. The yielded array is reused: the writer encodes
 * each chunk before asking for the next.
 */
export function* randomRows(seed: number, stream: string, dims: readonly [number, number], std: number, rowScale?: (row: number) => number): Generator<Float32Array> {
  const [rowLength, rows] = dims;
  const rng = new Prng(seed, stream);
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / rowLength));
  const buffer = new Float32Array(rowsPerChunk * rowLength);
  for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r0);
    const chunk = n === rowsPerChunk ? buffer : buffer.subarray(0, n * rowLength);
    rng.fillUniform(chunk, std);
    if (rowScale) {
      for (let r = 0; r < n; r++) {
        const s = rowScale(r0 + r);
        if (s !== 1) for (let i = r * rowLength; i < (r + 1) * rowLength; i++) chunk[i] *= s;
      }
    }
    yield chunk;
  }
}

/**
 * Q8_0 rows drawn directly in quantized form: every block gets the scale d = std·√3/127 (times
 * the row's scale) and 32 int8 values uniform in [-127, 127], four from each 32-bit draw. The
 * same distribution as quantizing randomRows, several times faster: this produces every weight
 * of the 0.5B preset. Row length must be a multiple of 32.
 */
export function* randomQ8_0Rows(seed: number, stream: string, dims: readonly [number, number], std: number, rowScale?: (row: number) => number): Generator<Uint8Array> {
  const [rowLength, rows] = dims;
  const rowBytes = (rowLength / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
  const rng = new Prng(seed, stream);
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / rowLength));
  const buffer = new Uint8Array(rowsPerChunk * rowBytes);
  const draws = new Uint32Array(Q8_0_BLOCK / 4);
  const drawBytes = new Uint8Array(draws.buffer);
  const baseD = (std * Math.sqrt(3)) / 127;
  for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r0);
    let o = 0;
    for (let r = 0; r < n; r++) {
      const h = f32ToF16Bits(baseD * (rowScale ? rowScale(r0 + r) : 1));
      for (let b = 0; b < rowLength; b += Q8_0_BLOCK) {
        buffer[o] = h & 0xff;
        buffer[o + 1] = h >>> 8;
        o += 2;
        for (let k = 0; k < draws.length; k++) draws[k] = rng.nextU32();
        // byte % 255 - 127 is uniform on [-127, 127] (0 twice as likely), stored as two's complement.
        for (let k = 0; k < Q8_0_BLOCK; k++) buffer[o++] = ((drawBytes[k] % 255) - 127) & 0xff;
      }
    }
    yield n === rowsPerChunk ? buffer : buffer.subarray(0, n * rowBytes);
  }
}
