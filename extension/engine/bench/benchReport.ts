// The shape every `clade bench NAME --json` prints (see BENCH.md): a ratio against a reference
// measured in the same run, with the raw numbers and the inputs.
export interface BenchReport {
  name: string;
  /** measured / reference (or the figure BENCH.md defines for this benchmark). */
  ratio: number | null;
  reference: number | null;
  measured: number | null;
  unit: string;
  repetitions: number;
  goal?: string;
  inputs: Record<string, unknown>;
  /** Raw samples and secondary figures. */
  details?: Record<string, unknown>;
}

export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
