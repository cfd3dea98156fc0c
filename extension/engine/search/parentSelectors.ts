// The parent-selection rules of the generational strategies: DGM's score_child_prop, and its two
// ablations, greedy (always the best observed mean) and random (uniform). All draw from working
// nodes with at least one finished evaluation, k times with replacement.

import type { ArchiveIndex } from "./archiveIndex";
import { accuracy, DGM_SELECTION_DEFAULTS, drawWeighted, fillDgmWeights, type DgmSelectionOptions } from "./dgmParentSelection";
import type { Rng } from "./rng";
import type { SearchNode } from "./types";

export interface ParentSelector {
  /** k parent ids (repeats allowed); empty when there is no candidate. */
  select(index: ArchiveIndex, k: number, rng: Rng): string[];
}

export function dgmParentSelector(options: DgmSelectionOptions = DGM_SELECTION_DEFAULTS): ParentSelector {
  let weights = new Float64Array(0);
  return {
    select(index, k, rng) {
      const n = index.nodes.length;
      if (weights.length < n) weights = new Float64Array(Math.max(n, 2 * weights.length));
      const total = fillDgmWeights(index, options, weights);
      if (total === 0) return [];
      return drawWeighted(weights, n, total, k, rng).map((i) => index.nodes[i].id);
    },
  };
}

/** Orders nodes by observed mean, then by evaluations (more evidence wins), then by age. */
export function betterMean(a: SearchNode, b: SearchNode): boolean {
  const ma = accuracy(a);
  const mb = accuracy(b);
  if (ma !== mb) return ma > mb;
  return a.successes + a.failures > b.successes + b.failures;
}

export function greedyParentSelector(): ParentSelector {
  return {
    select(index, k) {
      let best: SearchNode | undefined;
      for (const node of index.nodes) if (node.status === "evaluated" && (!best || betterMean(node, best))) best = node;
      return best ? new Array<string>(k).fill(best.id) : [];
    },
  };
}

export function randomParentSelector(): ParentSelector {
  return {
    select(index, k, rng) {
      const candidates = index.nodes.filter((node) => node.status === "evaluated");
      if (candidates.length === 0) return [];
      return Array.from({ length: k }, () => candidates[rng.int(candidates.length)].id);
    },
  };
}
