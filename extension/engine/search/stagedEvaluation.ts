// DGM's staged evaluation: a new node is run on a first batch of tasks (10); a pass rate of at
// least the threshold (40%) unlocks the next batch (50 more), and so on. The root (the initial
// agent) is evaluated on every stage, as DGM evaluates its starting agent on the full set.
// Clade adds one cap: no node's staged target exceeds `maxBudgetShare` of the budget B (at least
// 1). DGM's numbers assume budgets in the hundreds; with B = 20 the root alone would take all 20
// and no version would ever be made. At B ≥ 300 the cap (≥ 60) changes nothing.

import type { SearchNode } from "./types";

export interface StagedEvaluationOptions {
  /** Tasks in each stage, e.g. [10, 50]. */
  readonly stages: readonly number[];
  /** Pass rate needed on everything so far to unlock stage i + 1, e.g. [0.4]. */
  readonly thresholds: readonly number[];
  readonly evaluateRootFully: boolean;
  /** Share of the budget B that one node's staged evaluation may take at most, in (0, 1] (0.2). */
  readonly maxBudgetShare: number;
}

export const STAGED_EVALUATION_DEFAULTS: StagedEvaluationOptions = { stages: [10, 50], thresholds: [0.4], evaluateRootFully: true, maxBudgetShare: 0.2 };

/** The most evaluations one node's staged evaluation may reach under budget B (no cap without B). */
export function stagedCap(options: StagedEvaluationOptions, budgetTotal?: number): number {
  if (budgetTotal === undefined) return Infinity;
  return Math.max(1, Math.floor(budgetTotal * (options.maxBudgetShare)));
}

/** How many finished evaluations this node should reach, given its results so far (and B, for the cap). */
export function stagedTarget(node: SearchNode, options: StagedEvaluationOptions, budgetTotal?: number): number {
  return Math.min(uncappedTarget(node, options), stagedCap(options, budgetTotal));
}

function uncappedTarget(node: SearchNode, options: StagedEvaluationOptions): number {
  const { stages, thresholds } = options;
  if (node.parentId === null && options.evaluateRootFully) return stages.reduce((sum, n) => sum + n, 0);
  const done = node.successes + node.failures;
  let cumulative = 0;
  for (let stage = 0; stage < stages.length; stage++) {
    cumulative += stages[stage];
    if (done < cumulative || stage === stages.length - 1) return cumulative;
    // Exactly at a stage boundary: the gate decides. Past it, the next stage has begun already.
    if (done === cumulative && node.successes / done < thresholds[stage]) return cumulative;
  }
  return cumulative;
}

/** Evaluations to start now so the node reaches its staged target (never more than it has untested). */
export function stagedNeed(node: SearchNode, options: StagedEvaluationOptions, budgetTotal?: number): number {
  if (node.status === "invalid") return 0;
  const pending = stagedTarget(node, options, budgetTotal) - node.successes - node.failures - node.evaluationsInFlight;
  return Math.max(0, Math.min(pending, node.untestedTasks));
}

/** A node whose staged evaluation has finished: what DGM would have added to its archive. */
export function stagedComplete(node: SearchNode, options: StagedEvaluationOptions, budgetTotal?: number): boolean {
  const done = node.successes + node.failures;
  return node.status === "evaluated" && node.evaluationsInFlight === 0 && (done >= stagedTarget(node, options, budgetTotal) || node.untestedTasks === 0);
}
