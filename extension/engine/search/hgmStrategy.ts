// The Huxley-Gödel Machine (arXiv 2510.21614): asynchronous, one task evaluation at a time, with
// expansion decoupled from evaluation.
//   - first, expand the root `initialExpansions` times (5) so early luck does not bias the tree;
//   - expand iff N^α ≥ |T| (α = 0.6), N = task evaluations finished + running, |T| = nodes
//     (invalid ones too: each cost an expansion) + expansions running;
//   - expand the node drawn by Thompson sampling from Beta(τ(1 + S_clade), τ(1 + F_clade)), where
//     the clade pools the node's and all its descendants' results (the CMP estimate);
//   - otherwise evaluate one untested task on the node drawn from Beta(τ(1 + S_own), τ(1 + F_own))
//     among nodes with untested tasks;
//   - τ = B / b (B total budget, b remaining): sampling sharpens as the budget runs out;
//   - answer with the best pessimistic posterior (the 5% quantile of Beta(1 + S_own, 1 + F_own)).
// Clade adds what the paper's setting never needed: an expansion can fail without making a node
// (empty diff, nothing to fix, a failed self-edit). Such a failure would leave |T| and every
// statistic unchanged, so the same parent would be drawn forever. So failed expansions count in
// |T| (each cost an expansion, like an invalid node), as failures in the parent's expansion draw
// Beta(τ(1 + S_clade), τ(1 + F_clade + X)), X = the node's own failed expansions, and a node with
// `maxFailedExpansions` (3) of them is not expanded again.

import { ArchiveIndex } from "./archiveIndex";
import { sampleBeta } from "./betaSampling";
import { PessimisticScore } from "./finalPick";
import type { Rng } from "./rng";
import type { ArchiveView, SearchAction, SearchBudget, SearchNode, SearchStrategy } from "./types";

export interface HgmOptions {
  /** α in N^α ≥ |T|. */
  readonly alpha: number;
  /** Root expansions before anything else. */
  readonly initialExpansions: number;
  /** Quantile of the posterior used by the final pick. */
  readonly percentile: number;
  /** τ = B / b when true (the paper); τ = 1 when false (the public code's default). */
  readonly temperature: boolean;
  /** Failed expansions (ended without a node) after which a node is not expanded again. */
  readonly maxFailedExpansions: number;
}

export const HGM_DEFAULTS: HgmOptions = { alpha: 0.6, initialExpansions: 5, percentile: 0.05, temperature: true, maxFailedExpansions: 3 };

/** Draws from Beta(a, b); injectable so tests can see the parameters Thompson sampling uses. */
export type BetaSampler = (a: number, b: number, rng: Rng) => number;

/** HGM's rule: expand iff N^α ≥ |T|. */
export function hgmShouldExpand(evaluations: number, treeSize: number, alpha: number): boolean {
  return Math.pow(evaluations, alpha) >= treeSize;
}

/** τ = B / b, with b (remaining evaluations, running ones counted as spent) at least 1. */
export function hgmTemperature(total: number, remaining: number): number {
  return total / Math.max(1, remaining);
}

export class HgmStrategy implements SearchStrategy {
  readonly name = "hgm" as const;
  private readonly index = new ArchiveIndex();
  private readonly score: PessimisticScore;

  constructor(
    private readonly options: HgmOptions = HGM_DEFAULTS,
    private readonly sampler: BetaSampler = sampleBeta,
  ) {
    this.score = new PessimisticScore(options.percentile);
  }

  next(view: ArchiveView, budget: SearchBudget, rng: Rng): SearchAction {
    const index = this.index.update(view);
    const running = index.evaluationsInFlight;
    const remaining = budget.total - budget.used - running;
    const busy = running + index.expansionsInFlight > 0;
    if (remaining <= 0 || index.nodes.length === 0) return busy ? { kind: "wait" } : { kind: "stop" };
    // |T|: every expansion made or making a node, and every one that failed without one.
    const treeSize = index.nodes.length + index.expansionsInFlight + index.failedExpansions;
    if (treeSize - 1 < this.options.initialExpansions && this.expandable(index.nodes[0])) return { kind: "expand", nodeId: index.nodes[0].id };
    const tau = this.options.temperature ? hgmTemperature(budget.total, remaining) : 1;
    // N counts task evaluations only: gate runs are part of an expansion's cost, not evidence.
    const evaluations = budget.used - (budget.gateRuns ?? 0) + running;
    if (hgmShouldExpand(evaluations, treeSize, this.options.alpha)) {
      const parent = this.thompson(tau, rng, true);
      if (parent >= 0) return { kind: "expand", nodeId: index.nodes[parent].id };
    }
    const target = this.thompson(tau, rng, false);
    if (target >= 0) return { kind: "evaluate", nodeId: index.nodes[target].id, tasks: 1 };
    // Every node is fully tested (or being tested): grow the tree, unless a running expansion will.
    if (index.expansionsInFlight > 0) return { kind: "wait" };
    const parent = this.thompson(tau, rng, true);
    return parent >= 0 ? { kind: "expand", nodeId: index.nodes[parent].id } : busy ? { kind: "wait" } : { kind: "stop" };
  }

  finalPick(view: ArchiveView): string | null {
    return this.score.pick(view.nodes());
  }

  /** Not invalid, and not yet failed `maxFailedExpansions` times. */
  private expandable(node: SearchNode): boolean {
    return node.status !== "invalid" && (node.failedExpansions ?? 0) < this.options.maxFailedExpansions;
  }

  /**
   * Position of the Thompson-sampling winner over clade (expansion: the node's failed expansions
   * count as failures too) or own (evaluation) results; -1 when no node qualifies.
   */
  private thompson(tau: number, rng: Rng, clade: boolean): number {
    const { nodes, cladeSuccesses, cladeFailures } = this.index;
    let best = -1;
    let bestDraw = -1;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (clade ? !this.expandable(node) : node.status === "invalid" || node.untestedTasks <= 0) continue;
      const s = clade ? cladeSuccesses[i] : node.successes;
      const f = clade ? cladeFailures[i] + (node.failedExpansions ?? 0) : node.failures;
      const draw = this.sampler(tau * (1 + s), tau * (1 + f), rng);
      if (draw > bestDraw) {
        best = i;
        bestDraw = draw;
      }
    }
    return best;
  }
}
