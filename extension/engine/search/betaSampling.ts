// Gamma and Beta sampling for Thompson sampling: Marsaglia & Tsang (2000) for Gamma(shape, 1),
// with the u^(1/shape) boost for shape < 1, and Beta(a, b) = X / (X + Y).

import type { Rng } from "./rng";

export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0)) throw new RangeError(`Gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    // Gamma(a) = Gamma(a + 1) · U^(1/a); 1 - next() is in (0, 1], so the log is finite.
    return sampleGamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v; // squeeze: skips the logs most of the time
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = sampleGamma(a, rng);
  const y = sampleGamma(b, rng);
  return x / (x + y);
}
