// The node a strategy answers with. DGM reports the highest-accuracy agent (sorted descending; its
// public code sorts the wrong way). HGM reports the best pessimistic posterior: the highest
// `percentile` quantile of Beta(1 + S_own, 1 + F_own), so 40/50 beats 1/1 (0.69 vs 0.22 at 5%).

import { betaQuantile } from "./betaQuantile";
import { betterMean } from "./parentSelectors";
import type { SearchNode } from "./types";

/** Highest observed mean among working evaluated nodes that `eligible` accepts (ties: more evidence). */
export function bestMeanPick(nodes: readonly SearchNode[], eligible: (node: SearchNode, position: number) => boolean = () => true): string | null {
  let best: SearchNode | undefined;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.status !== "evaluated" || !eligible(node, i)) continue;
    if (!best || betterMean(node, best)) best = node;
  }
  return best ? best.id : null;
}

/** Memo of quantiles per level, shared by all instances: it is a pure function of (level, s, f). */
const quantileCaches = new Map<number, Map<number, number>>();

/** Quantiles of Beta(1 + s, 1 + f) at one level, memoized per (s, f): runs see few distinct pairs. */
export class PessimisticScore {
  private readonly cache: Map<number, number>;

  constructor(readonly percentile: number) {
    if (!(percentile > 0 && percentile < 1)) throw new RangeError(`percentile must be in (0, 1), got ${percentile}`);
    let cache = quantileCaches.get(percentile);
    if (!cache) quantileCaches.set(percentile, (cache = new Map()));
    this.cache = cache;
  }

  of(successes: number, failures: number): number {
    const key = successes * 4194304 + failures; // exact while both stay below 2^22
    let value = this.cache.get(key);
    if (value === undefined) {
      value = betaQuantile(this.percentile, 1 + successes, 1 + failures);
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(key, value);
    }
    return value;
  }

  /** The working evaluated node with the highest score (ties: more evaluations, then older). */
  pick(nodes: readonly SearchNode[]): string | null {
    let bestId: string | null = null;
    let bestScore = -1;
    let bestEvidence = -1;
    for (const node of nodes) {
      if (node.status !== "evaluated") continue;
      const score = this.of(node.successes, node.failures);
      const evidence = node.successes + node.failures;
      if (score > bestScore || (score === bestScore && evidence > bestEvidence)) {
        bestId = node.id;
        bestScore = score;
        bestEvidence = evidence;
      }
    }
    return bestId;
  }
}
