// The read-only view of the archive that search strategies decide from, and the one interface all
// strategies (`dgm`, `hgm`, `greedy`, `random`) share. The archive module implements ArchiveView;
// the simulator (simulate/) implements it over a synthetic landscape. Strategies never mutate it.

import type { Rng } from "./rng";

/**
 * - `pending`: a working node (it passed the gate) with no finished task evaluation yet;
 * - `evaluated`: a working node with at least one finished task evaluation;
 * - `invalid`: a failed expansion (did not build, lost editing ability, empty patch): it is never
 *   evaluated, never a parent, and does not count as a parent's working child.
 * A child whose expansion is still running is not a node yet: it shows as its parent's
 * `expansionsInFlight`.
 */
export type SearchNodeStatus = "pending" | "evaluated" | "invalid";

export interface SearchNode {
  readonly id: string;
  /** `null` only for the root. */
  readonly parentId: string | null;
  readonly status: SearchNodeStatus;
  /** This node's own finished task evaluations that passed / failed (never its descendants'). */
  readonly successes: number;
  readonly failures: number;
  /** Tasks of the suite neither finished nor running on this node. */
  readonly untestedTasks: number;
  /** Task evaluations of this node started and not finished. */
  readonly evaluationsInFlight: number;
  /** Expansions (self-modifications) of this node started and not finished. */
  readonly expansionsInFlight: number;
  /**
   * Expansions of this node that ended without making a node (empty diff, nothing to fix, the
   * diagnosis or self-edit failed; not: stopped by the user). Absent: none known. Such an expansion
   * makes no node, so without this count a strategy cannot see that it keeps failing.
   */
  readonly failedExpansions?: number;
}

export interface ArchiveView {
  /**
   * Every node, invalid ones included, in creation order: a parent always comes before its
   * children (strategies rely on this to pool clade statistics in one backward pass).
   */
  nodes(): readonly SearchNode[];
}

/**
 * Task runs: the currency every strategy spends. Expansions themselves are not counted here, but the
 * validation gate's task runs (evolve/validate.ts) are: they spend the same model time as an
 * evaluation, so one number B bounds all of them.
 */
export interface SearchBudget {
  /** B: task runs allowed in the whole run (evaluations + gate runs). */
  readonly total: number;
  /** Task runs finished so far: evaluations plus `gateRuns` (in-flight evaluations are read from the nodes). */
  readonly used: number;
  /** Of `used`, the runs the validation gate spent (not evaluations of any node); absent: 0. */
  readonly gateRuns?: number;
}

export type SearchAction =
  /** Start one self-modification of `nodeId`; it ends as a new working or invalid child. */
  | { readonly kind: "expand"; readonly nodeId: string }
  /** Start `tasks` evaluations of `nodeId` on tasks it has not been tested on. */
  | { readonly kind: "evaluate"; readonly nodeId: string; readonly tasks: number }
  /** Nothing should start until running work finishes. */
  | { readonly kind: "wait" }
  /** Nothing left to do: the budget is spent (or nothing can be expanded or evaluated). */
  | { readonly kind: "stop" };

export type StrategyName = "dgm" | "hgm" | "greedy" | "random";

export const STRATEGY_NAMES: readonly StrategyName[] = ["dgm", "hgm", "greedy", "random"];

/**
 * A search strategy. The caller (evolve loop or simulator) asks `next` whenever a worker is free,
 * starts what it returns, and asks again until it gets `wait` or `stop`; the view and budget must
 * reflect the work already started (in-flight counts). A strategy instance belongs to one run: the
 * generational ones keep the parents drawn for the current generation; after a restart a new
 * generation is drawn once running work has drained.
 */
export interface SearchStrategy {
  readonly name: StrategyName;
  next(view: ArchiveView, budget: SearchBudget, rng: Rng): SearchAction;
  /** The node this strategy would answer with now, by its own belief; `null` before any result. */
  finalPick(view: ArchiveView): string | null;
}
