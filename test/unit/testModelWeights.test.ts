import { describe, expect, it } from "vitest";
import { dequantizeQ8_0 } from "../../extension/engine/model/gguf/quantize";
import { Prng } from "../../extension/engine/model/testModel/prng";
import { randomQ8_0Rows, randomRows } from "../../extension/engine/model/testModel/randomWeights";

function stats(values: Float32Array): { mean: number; std: number; max: number } {
  let sum = 0;
  let sq = 0;
  let max = 0;
  for (const v of values) {
    sum += v;
    sq += v * v;
    max = Math.max(max, Math.abs(v));
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sq / values.length - mean * mean), max };
}

function concat<T extends Float32Array | Uint8Array>(chunks: Iterable<T>, make: (n: number) => T): T {
  const list: T[] = [];
  for (const c of chunks) list.push(c.slice() as T); // chunks reuse one buffer: copy each as it comes
  const out = make(list.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of list) {
    out.set(c as never, o);
    o += c.length;
  }
  return out;
}

describe("seeded random weights", () => {
  it("draws the same stream for the same seed and name, another for another name or seed", () => {
    const draw = (seed: number, name: string) => Array.from({ length: 8 }, ((rng) => () => rng.nextU32())(new Prng(seed, name)));
    expect(draw(1, "a")).toEqual(draw(1, "a"));
    expect(draw(1, "a")).not.toEqual(draw(1, "b"));
    expect(draw(1, "a")).not.toEqual(draw(2, "a"));
  });

  it("produces F32 rows of the requested standard deviation, scaled per row", () => {
    const values = concat(randomRows(3, "t", [256, 1200], 0.1, (row) => (row === 5 ? 0 : 1)), (n) => new Float32Array(n));
    expect(values.length).toBe(256 * 1200);
    expect(Array.from(values.subarray(5 * 256, 6 * 256)).every((v) => v === 0)).toBe(true);
    const s = stats(values.subarray(6 * 256));
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
    expect(s.std).toBeGreaterThan(0.098);
    expect(s.std).toBeLessThan(0.102);
    expect(s.max).toBeLessThanOrEqual(0.1 * Math.sqrt(3));
  });

  it("produces Q8_0 rows that dequantize to the same distribution", () => {
    const bytes = concat(randomQ8_0Rows(3, "t", [256, 1200], 0.1, (row) => (row === 5 ? 0.5 : 1)), (n) => new Uint8Array(n));
    expect(bytes.length).toBe(1200 * 8 * 34);
    const values = dequantizeQ8_0(bytes, 256 * 1200);
    const s = stats(values.subarray(6 * 256));
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
    expect(s.std).toBeGreaterThan(0.097);
    expect(s.std).toBeLessThan(0.103);
    expect(s.max).toBeLessThanOrEqual(0.1 * Math.sqrt(3) * 1.001);
    expect(stats(values.subarray(5 * 256, 6 * 256)).max).toBeLessThanOrEqual(0.05 * Math.sqrt(3) * 1.001);
    // Every int8 is in [-127, 127], never -128.
    let minus128 = 0;
    for (let b = 0; b < bytes.length; b += 34) for (let i = 2; i < 34; i++) if (bytes[b + i] === 0x80) minus128++;
    expect(minus128).toBe(0);
  });
});
