// A synthetic self-improvement landscape: an infinite tree, fixed by a seed, in which every agent
// has a hidden true quality q (its pass probability on any task). The k-th expansion of a node
// always yields the same child, so every strategy faces the same tree and the same task outcomes
// on a seed (common random numbers) and differs only in where it looks.
//   - root q = rootQuality (≈ 0.2);
//   - a child's q = clamp(parent q + increment), increment ~ Normal(parent drift, incrementStd);
//     ordinary drift is slightly negative: most edits do not help;
//   - a child starts a metaproductive lineage with probability metaProbability: its own q pays
//     metaCost (its score hides its promise), but its descendants' increments have mean metaDrift;
//     a metaproductive node's child stays metaproductive unless it loses it (metaLoss);
//   - an expansion fails (invalid child, no evaluations) with probability invalidProbability;
//   - evaluating a node on one task is Bernoulli(q).

import { CladeError } from "../../../protocol/errors";
import { createRng, hash32 } from "../rng";

export interface LandscapeOptions {
  readonly rootQuality: number;
  readonly ordinaryDrift: number;
  readonly incrementStd: number;
  readonly metaProbability: number;
  readonly metaDrift: number;
  readonly metaCost: number;
  readonly metaLoss: number;
  readonly invalidProbability: number;
  /** Tasks in the suite: a node can be evaluated at most this many times. */
  readonly tasks: number;
}

export const LANDSCAPE_DEFAULTS: LandscapeOptions = {
  rootQuality: 0.2,
  ordinaryDrift: -0.01,
  incrementStd: 0.05,
  metaProbability: 0.1,
  metaDrift: 0.03,
  metaCost: 0.05,
  metaLoss: 0.1,
  invalidProbability: 0.2,
  tasks: 60,
};

/** What the landscape knows about a node and strategies never see. */
export interface HiddenNode {
  /** Identity in the landscape: a hash of the path from the root. */
  readonly key: number;
  readonly quality: number;
  readonly metaproductive: boolean;
  readonly invalid: boolean;
}

export class Landscape {
  readonly options: LandscapeOptions;

  constructor(
    readonly seed: number,
    options: Partial<LandscapeOptions> = {},
  ) {
    this.options = { ...LANDSCAPE_DEFAULTS, ...options };
    const o = this.options;
    const probabilities = [o.rootQuality, o.metaProbability, o.metaLoss, o.invalidProbability];
    if (probabilities.some((p) => !(p >= 0 && p <= 1)) || !(o.incrementStd >= 0) || !Number.isInteger(o.tasks) || o.tasks < 1) {
      throw new CladeError("invalid-argument", "Landscape options out of range.", "Use probabilities and qualities in [0, 1], incrementStd ≥ 0 and a positive integer task count.");
    }
  }

  root(): HiddenNode {
    return { key: hash32(this.seed, 0x600d), quality: this.options.rootQuality, metaproductive: false, invalid: false };
  }

  /** The `ordinal`-th expansion of `parent` (0-based), the same on every call. */
  child(parent: HiddenNode, ordinal: number): HiddenNode {
    const o = this.options;
    const key = hash32(this.seed, parent.key, ordinal);
    const rng = createRng(key);
    if (rng.next() < o.invalidProbability) return { key, quality: 0, metaproductive: false, invalid: true };
    const becomesMeta = !parent.metaproductive && rng.next() < o.metaProbability;
    const staysMeta = parent.metaproductive && rng.next() >= o.metaLoss;
    const drift = parent.metaproductive ? o.metaDrift : o.ordinaryDrift;
    const increment = drift + o.incrementStd * rng.normal() - (becomesMeta ? o.metaCost : 0);
    const quality = Math.min(1, Math.max(0, parent.quality + increment));
    return { key, quality, metaproductive: becomesMeta || staysMeta, invalid: false };
  }

  /** Outcome of running `node` on its `task`-th task. */
  evaluate(node: HiddenNode, task: number): boolean {
    return hash32(node.key, task, 0x7a5c) / 4294967296 < node.quality;
  }
}
