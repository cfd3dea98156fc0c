// Confidence intervals for benchmark comparisons: a stratified percentile bootstrap of a mean of
// paired differences (strata = seeds, units = tasks), and Student's t interval over per-seed means.
import { createRng } from "../search/rng";

export interface Interval {
  mean: number;
  /** 95% interval [low, high]. */
  ci95: [number, number];
}

/**
 * Mean of all values pooled over strata, with a 95% percentile-bootstrap interval that resamples
 * the units within each stratum (with replacement), `resamples` times, seeded.
 */
export function bootstrapMean(strata: readonly (readonly number[])[], options: { resamples?: number; seed?: number } = {}): Interval {
  const resamples = options.resamples ?? 2000;
  const rng = createRng(options.seed ?? 1);
  const all = strata.flat();
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    let n = 0;
    for (const stratum of strata) {
      for (let i = 0; i < stratum.length; i++) sum += stratum[Math.floor(rng.next() * stratum.length)];
      n += stratum.length;
    }
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  return { mean, ci95: [means[Math.floor(0.025 * resamples)], means[Math.min(resamples - 1, Math.ceil(0.975 * resamples) - 1)]] };
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Mean with Student's t 95% interval (one value per seed); a single value gets an unbounded interval. */
export function tInterval(values: readonly number[]): Interval {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: [-Infinity, Infinity] };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = (T975[n - 2] ?? 1.96) * (sd / Math.sqrt(n));
  return { mean, ci95: [mean - half, mean + half] };
}
