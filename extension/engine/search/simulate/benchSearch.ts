// The `search` benchmark (BENCH.md): task evaluations each strategy needs until its final pick has
// true quality ≥ target, on the same synthetic landscapes and seeds, with `dgm` as the reference.
// Runs are interleaved per seed (dgm, hgm, greedy, random, dgm, …). A run that never reaches the
// target counts as +∞ in the median, so a median is null when half the runs or more failed.

import { CladeError } from "../../../protocol/errors";
import { createStrategy, type StrategyOptions } from "../createStrategy";
import { createRng, hash32 } from "../rng";
import { STRATEGY_NAMES, type StrategyName } from "../types";
import { Landscape, type LandscapeOptions } from "./landscape";
import { runSimulation, type SimulationResult } from "./runSimulation";

export interface BenchSearchOptions {
  readonly seeds?: number;
  readonly target?: number;
  readonly budget?: number;
  readonly parallel?: number;
  readonly expansionTime?: number;
  readonly baseSeed?: number;
  readonly landscape?: Partial<LandscapeOptions>;
  readonly strategies?: readonly StrategyName[];
  readonly strategyOptions?: StrategyOptions;
}

export interface StrategyFigures {
  /** Median evaluations to target over all seeds (+∞ for misses); null when ≥ half missed. */
  readonly medianEvals: number | null;
  /** Median over the seeds that reached the target only; null if none did. */
  readonly medianEvalsWhenReached: number | null;
  /** Seeds whose final pick reached the target at some point within the budget. */
  readonly successRate: number;
  /** Seeds whose final pick at the end of the budget has quality ≥ target. */
  readonly finalSuccessRate: number;
  readonly meanFinalQuality: number;
  readonly meanBestQualityCreated: number;
  readonly medianExpansions: number;
  readonly meanInvalidNodes: number;
  /** medianEvals / dgm's medianEvals; null when either is null. */
  readonly ratio: number | null;
  readonly wallMs: number;
}

export interface BenchSearchResult {
  readonly name: "search";
  /** hgm's median evaluations to target / dgm's (goal ≤ 0.5); null when either median is null. */
  readonly ratio: number | null;
  readonly reference: number | null;
  readonly measured: number | null;
  readonly unit: "task evaluations to target";
  readonly repetitions: number;
  readonly inputs: {
    readonly seeds: number;
    readonly target: number;
    readonly budget: number;
    readonly parallel: number;
    readonly baseSeed: number;
    readonly landscape: LandscapeOptions;
  };
  readonly strategies: Partial<Record<StrategyName, StrategyFigures>>;
}

export const BENCH_SEARCH_DEFAULTS = { seeds: 200, target: 0.45, budget: 3000, parallel: 1, expansionTime: 1, baseSeed: 1 };

/** Median, +∞ counted as larger than everything; null when the median itself is +∞. */
export function medianOrNull(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Number.isFinite(median) ? median : null;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

function summarize(results: readonly SimulationResult[], target: number, wallMs: number): Omit<StrategyFigures, "ratio"> {
  const reached = results.filter((r) => r.evaluationsToTarget !== null).map((r) => r.evaluationsToTarget as number);
  return {
    medianEvals: medianOrNull(results.map((r) => r.evaluationsToTarget ?? Number.POSITIVE_INFINITY)),
    medianEvalsWhenReached: medianOrNull(reached),
    successRate: reached.length / results.length,
    finalSuccessRate: results.filter((r) => r.finalQuality >= target).length / results.length,
    meanFinalQuality: mean(results.map((r) => r.finalQuality)),
    meanBestQualityCreated: mean(results.map((r) => r.bestQualityCreated)),
    medianExpansions: medianOrNull(results.map((r) => r.expansions)) ?? 0,
    meanInvalidNodes: mean(results.map((r) => r.invalidNodes)),
    wallMs,
  };
}

function ratioOf(measured: number | null, reference: number | null): number | null {
  return measured === null || reference === null || reference === 0 ? null : measured / reference;
}

export function benchSearch(options: BenchSearchOptions = {}): BenchSearchResult {
  const o = { ...BENCH_SEARCH_DEFAULTS, ...options };
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new CladeError("invalid-argument", `benchSearch needs at least one seed, got ${o.seeds}.`, "Pass seeds as a whole number ≥ 1 (BENCH.md uses 200).");
  const names = options.strategies ?? STRATEGY_NAMES;
  const results = new Map<StrategyName, SimulationResult[]>(names.map((name) => [name, []]));
  const wall = new Map<StrategyName, number>(names.map((name) => [name, 0]));
  let landscapeOptions: LandscapeOptions | undefined;
  for (let s = 0; s < o.seeds; s++) {
    const landscape = new Landscape(hash32(o.baseSeed, s), options.landscape);
    landscapeOptions = landscape.options;
    for (const name of names) {
      const started = performance.now();
      const strategy = createStrategy(name, options.strategyOptions);
      const rng = createRng(hash32(landscape.seed, 0x57a7));
      const sim = { budget: o.budget, target: o.target, parallel: o.parallel, expansionTime: o.expansionTime };
      (results.get(name) as SimulationResult[]).push(runSimulation(strategy, landscape, rng, sim));
      wall.set(name, (wall.get(name) as number) + performance.now() - started);
    }
  }
  const summaries = new Map(names.map((name) => [name, summarize(results.get(name) as SimulationResult[], o.target, Math.round(wall.get(name) as number))]));
  const reference = summaries.get("dgm")?.medianEvals ?? null;
  const strategies: Partial<Record<StrategyName, StrategyFigures>> = {};
  for (const [name, figures] of summaries) strategies[name] = { ...figures, ratio: ratioOf(figures.medianEvals, reference) };
  const measured = summaries.get("hgm")?.medianEvals ?? null;
  return {
    name: "search",
    ratio: ratioOf(measured, reference),
    reference,
    measured,
    unit: "task evaluations to target",
    repetitions: o.seeds,
    inputs: { seeds: o.seeds, target: o.target, budget: o.budget, parallel: o.parallel, baseSeed: o.baseSeed, landscape: landscapeOptions ?? new Landscape(0, options.landscape).options },
    strategies,
  };
}
