// DGM parent selection ("score_child_prop", arXiv 2505.22954): for every candidate i with accuracy
// α_i and n_i working children,
//   s_i = 1 / (1 + exp(−λ(α_i − α₀)))   (λ = 10, α₀ = 0.5)
//   h_i = 1 / (1 + n_i)
//   p_i = s_i·h_i / Σ_j s_j·h_j
// and k parents are drawn with replacement. Candidates are working nodes with at least one finished
// evaluation; as in the paper (not its public code), nodes with α_i = 1 are excluded, unless that
// would leave no candidate at all.

import type { ArchiveIndex } from "./archiveIndex";
import type { Rng } from "./rng";
import type { SearchNode } from "./types";

export interface DgmSelectionOptions {
  readonly lambda: number;
  readonly alpha0: number;
  /** Leave out nodes that solved every task they were evaluated on (the paper does). */
  readonly excludePerfect: boolean;
}

export const DGM_SELECTION_DEFAULTS: DgmSelectionOptions = { lambda: 10, alpha0: 0.5, excludePerfect: true };

export function accuracy(node: SearchNode): number {
  const n = node.successes + node.failures;
  return n === 0 ? 0 : node.successes / n;
}

/** The weight s_i·h_i of node i, or 0 when it is not a candidate. */
export function dgmWeight(node: SearchNode, workingChildren: number, options: DgmSelectionOptions): number {
  const s = 1 / (1 + Math.exp(-options.lambda * (accuracy(node) - options.alpha0)));
  return s / (1 + workingChildren);
}

function isCandidate(node: SearchNode, excludePerfect: boolean): boolean {
  return node.status === "evaluated" && node.successes + node.failures > 0 && !(excludePerfect && node.failures === 0);
}

/**
 * Fills `weights` (one per node, 0 for non-candidates) and returns their sum; retries without the
 * α = 1 exclusion when it would leave nothing.
 */
export function fillDgmWeights(index: ArchiveIndex, options: DgmSelectionOptions, weights: Float64Array): number {
  const nodes = index.nodes;
  let total = 0;
  for (let i = 0; i < nodes.length; i++) {
    weights[i] = isCandidate(nodes[i], options.excludePerfect) ? dgmWeight(nodes[i], index.workingChildren[i], options) : 0;
    total += weights[i];
  }
  if (total === 0 && options.excludePerfect) return fillDgmWeights(index, { ...options, excludePerfect: false }, weights);
  return total;
}

/** p_i for every candidate, keyed by node id (for inspection and tests). */
export function dgmParentProbabilities(index: ArchiveIndex, options: DgmSelectionOptions = DGM_SELECTION_DEFAULTS): Map<string, number> {
  const weights = new Float64Array(index.nodes.length);
  const total = fillDgmWeights(index, options, weights);
  const result = new Map<string, number>();
  for (let i = 0; i < weights.length; i++) if (weights[i] > 0) result.set(index.nodes[i].id, weights[i] / total);
  return result;
}

/** Draws k indices with replacement, proportionally to `weights[0..n)` (which sum to `total`). */
export function drawWeighted(weights: Float64Array, n: number, total: number, k: number, rng: Rng): number[] {
  // Cumulative sums in place would destroy the weights; a second buffer keeps them readable.
  const cumulative = new Float64Array(n);
  let running = 0;
  for (let i = 0; i < n; i++) cumulative[i] = running += weights[i];
  const picks: number[] = [];
  for (let draw = 0; draw < k; draw++) {
    const target = rng.next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    while (weights[lo] === 0 && lo > 0) lo--; // rounding at the top end: land on a real candidate
    picks.push(lo);
  }
  return picks;
}
