// DGM's staged evaluation: a new node is run on a first batch of tasks (10); a pass rate of at
// least the threshold (40%) unlocks the next batch (50 more), and so on. The root (the initial
// agent) is evaluated on every stage, as DGM evaluates its starting agent on the full set.

import type { SearchNode } from "./types";

export interface StagedEvaluationOptions {
  /** Tasks in each stage, e.g. [10, 50]. */
  readonly stages: readonly number[];
  /** Pass rate needed on everything so far to unlock stage i + 1, e.g. [0.4]. */
  readonly thresholds: readonly number[];
  readonly evaluateRootFully: boolean;
}

export const STAGED_EVALUATION_DEFAULTS: StagedEvaluationOptions = { stages: [10, 50], thresholds: [0.4], evaluateRootFully: true };

/** How many finished evaluations this node should reach, given its results so far. */
export function stagedTarget(node: SearchNode, options: StagedEvaluationOptions): number {
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
export function stagedNeed(node: SearchNode, options: StagedEvaluationOptions): number {
  if (node.status === "invalid") return 0;
  const pending = stagedTarget(node, options) - node.successes - node.failures - node.evaluationsInFlight;
  return Math.max(0, Math.min(pending, node.untestedTasks));
}

/** A node whose staged evaluation has finished: what DGM would have added to its archive. */
export function stagedComplete(node: SearchNode, options: StagedEvaluationOptions): boolean {
  const done = node.successes + node.failures;
  return node.status === "evaluated" && node.evaluationsInFlight === 0 && (done >= stagedTarget(node, options) || node.untestedTasks === 0);
}
