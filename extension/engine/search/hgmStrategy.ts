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

import { ArchiveIndex } from "./archiveIndex";
import { sampleBeta } from "./betaSampling";
import { PessimisticScore } from "./finalPick";
import type { Rng } from "./rng";
import type { ArchiveView, SearchAction, SearchBudget, SearchStrategy } from "./types";

export interface HgmOptions {
  /** α in N^α ≥ |T|. */
  readonly alpha: number;
  /** Root expansions before anything else. */
  readonly initialExpansions: number;
  /** Quantile of the posterior used by the final pick. */
  readonly percentile: number;
  /** τ = B / b when true (the paper); τ = 1 when false (the public code's default). */
  readonly temperature: boolean;
}

export const HGM_DEFAULTS: HgmOptions = { alpha: 0.6, initialExpansions: 5, percentile: 0.05, temperature: true };

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
    const treeSize = index.nodes.length + index.expansionsInFlight;
    if (treeSize - 1 < this.options.initialExpansions) return { kind: "expand", nodeId: index.nodes[0].id };
    const tau = this.options.temperature ? hgmTemperature(budget.total, remaining) : 1;
    if (hgmShouldExpand(budget.used + running, treeSize, this.options.alpha)) return this.expand(tau, rng);
    const target = this.thompson(tau, rng, false);
    if (target >= 0) return { kind: "evaluate", nodeId: index.nodes[target].id, tasks: 1 };
    // Every node is fully tested (or being tested): grow the tree, unless a running expansion will.
    return index.expansionsInFlight > 0 ? { kind: "wait" } : this.expand(tau, rng);
  }

  finalPick(view: ArchiveView): string | null {
    return this.score.pick(view.nodes());
  }

  private expand(tau: number, rng: Rng): SearchAction {
    const target = this.thompson(tau, rng, true);
    return target >= 0 ? { kind: "expand", nodeId: this.index.nodes[target].id } : { kind: "stop" };
  }

  /** Position of the Thompson-sampling winner over clade (expansion) or own (evaluation) results. */
  private thompson(tau: number, rng: Rng, clade: boolean): number {
    const { nodes, cladeSuccesses, cladeFailures } = this.index;
    let best = -1;
    let bestDraw = -1;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (node.status === "invalid" || (!clade && node.untestedTasks <= 0)) continue;
      const s = clade ? cladeSuccesses[i] : node.successes;
      const f = clade ? cladeFailures[i] : node.failures;
      const draw = this.sampler(tau * (1 + s), tau * (1 + f), rng);
      if (draw > bestDraw) {
        best = i;
        bestDraw = draw;
      }
    }
    return best;
  }
}
