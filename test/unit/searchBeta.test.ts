import { describe, expect, it } from "vitest";
import { betaCdf, betaQuantile, createRng, hash32, logGamma, sampleBeta, sampleGamma } from "../../extension/engine/search";

/** I_x(a, b) for integer a, b is a binomial tail: P(Bin(a + b − 1, x) ≥ a). */
function binomialTail(x: number, a: number, b: number): number {
  const n = a + b - 1;
  let total = 0;
  let logChoose = 0; // log C(n, 0)
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    if (k >= a) total += Math.exp(logChoose + k * Math.log(x) + (n - k) * Math.log(1 - x));
  }
  return total;
}

describe("Beta CDF and quantile", () => {
  it("logGamma matches factorials", () => {
    for (let n = 1; n < 30; n++) {
      let factorial = 0;
      for (let k = 2; k < n; k++) factorial += Math.log(k);
      expect(logGamma(n)).toBeCloseTo(factorial, 9);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  it("the CDF equals the binomial tail for integer parameters", () => {
    for (const [a, b] of [[1, 1], [2, 1], [3, 7], [41, 11], [13, 2], [60, 60], [1, 50]]) {
      for (const x of [0.01, 0.1, 0.3, 0.5, 0.77, 0.95]) expect(betaCdf(x, a, b)).toBeCloseTo(binomialTail(x, a, b), 11);
    }
  });

  it("the quantile inverts the CDF and matches closed forms", () => {
    for (const p of [0.01, 0.05, 0.5, 0.9]) {
      expect(betaQuantile(p, 1, 1)).toBeCloseTo(p, 12);
      expect(betaQuantile(p, 4, 1)).toBeCloseTo(Math.pow(p, 1 / 4), 12); // F(x) = x^a
      expect(betaQuantile(p, 1, 6)).toBeCloseTo(1 - Math.pow(1 - p, 1 / 6), 12); // F(x) = 1 − (1 − x)^b
      for (const [a, b] of [[2, 2], [41, 11], [1.5, 30], [300, 500], [0.5, 0.5]]) {
        expect(betaCdf(betaQuantile(p, a, b), a, b)).toBeCloseTo(p, 10);
      }
    }
    expect(betaQuantile(0, 3, 4)).toBe(0);
    expect(betaQuantile(1, 3, 4)).toBe(1);
  });
});

describe("samplers", () => {
  it("Gamma and Beta samples have the right mean and variance", () => {
    const rng = createRng(11);
    for (const shape of [0.4, 1, 3.5, 200]) {
      const n = 40_000;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const x = sampleGamma(shape, rng);
        sum += x;
        sumSq += x * x;
      }
      const mean = sum / n;
      expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
      expect(sumSq / n - mean * mean).toBeCloseTo(shape, shape > 10 ? -1 : 0);
    }
    for (const [a, b] of [[2, 5], [30, 10], [1, 1]]) {
      const n = 40_000;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const x = sampleBeta(a, b, rng);
        sum += x;
        sumSq += x * x;
      }
      const mean = sum / n;
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - a / (a + b))).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(sumSq / n - mean * mean).toBeCloseTo(variance, 3);
    }
  });

  it("the PRNG is deterministic per seed, uniform, and seeds differ", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(seqA);
    const rng = createRng(5);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) bins[Math.floor(rng.next() * 10)]++;
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(400); // ~4σ
    let normals = 0;
    let squares = 0;
    for (let i = 0; i < 100_000; i++) {
      const z = rng.normal();
      normals += z;
      squares += z * z;
    }
    expect(Math.abs(normals / 100_000)).toBeLessThan(0.02);
    expect(squares / 100_000).toBeCloseTo(1, 1);
    expect(hash32(1, 2)).not.toBe(hash32(2, 1));
    expect(hash32(1, 2)).toBe(hash32(1, 2));
  });
});
