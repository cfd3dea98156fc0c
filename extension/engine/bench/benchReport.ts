// The shape every `clade bench NAME --json` prints (see BENCH.md): a ratio against a reference
// measured in the same run, with the raw numbers and the inputs.
export { median } from "../util/median";

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

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
