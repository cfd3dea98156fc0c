// Builds a strategy by name, with every number at the papers' default unless overridden.

import { CladeError } from "../../protocol/errors";
import { DGM_SELECTION_DEFAULTS, type DgmSelectionOptions } from "./dgmParentSelection";
import { GenerationalStrategy, type GenerationalOptions } from "./generationalStrategy";
import { HGM_DEFAULTS, HgmStrategy, type BetaSampler, type HgmOptions } from "./hgmStrategy";
import { dgmParentSelector, greedyParentSelector, randomParentSelector } from "./parentSelectors";
import { STAGED_EVALUATION_DEFAULTS } from "./stagedEvaluation";
import { STRATEGY_NAMES, type SearchStrategy, type StrategyName } from "./types";

export interface StrategyOptions {
  /** Generational strategies (dgm, greedy, random): k, stages, thresholds, the budget share cap. */
  readonly generational?: Partial<GenerationalOptions>;
  readonly dgm?: Partial<DgmSelectionOptions>;
  readonly hgm?: Partial<HgmOptions>;
  /** Replaces HGM's Beta sampler (tests use it to observe Thompson parameters). */
  readonly hgmSampler?: BetaSampler;
}

export const GENERATIONAL_DEFAULTS: GenerationalOptions = { ...STAGED_EVALUATION_DEFAULTS, parentsPerGeneration: 2 };

function invalid(message: string): CladeError {
  return new CladeError("invalid-argument", message, "Fix the search strategy options (see SEARCH.md for the papers' values).");
}

function checkGenerational(options: GenerationalOptions): void {
  if (!Number.isInteger(options.parentsPerGeneration) || options.parentsPerGeneration < 1) throw invalid(`parentsPerGeneration must be a positive integer, got ${options.parentsPerGeneration}.`);
  if (options.stages.length === 0 || options.stages.some((n) => !Number.isInteger(n) || n < 1)) throw invalid(`stages must be positive integers, got [${options.stages.join(", ")}].`);
  if (options.thresholds.length < options.stages.length - 1 || options.thresholds.some((t) => !(t >= 0 && t <= 1))) {
    throw invalid(`thresholds need one value in [0, 1] per stage after the first, got [${options.thresholds.join(", ")}].`);
  }
  if (!(options.maxBudgetShare > 0 && options.maxBudgetShare <= 1)) throw invalid(`maxBudgetShare must be in (0, 1], got ${options.maxBudgetShare}.`);
}

function checkHgm(options: HgmOptions): void {
  if (!(options.alpha > 0 && options.alpha <= 1)) throw invalid(`hgm.alpha must be in (0, 1], got ${options.alpha}.`);
  if (!Number.isInteger(options.initialExpansions) || options.initialExpansions < 0) throw invalid(`hgm.initialExpansions must be a non-negative integer, got ${options.initialExpansions}.`);
  if (!(options.percentile > 0 && options.percentile < 1)) throw invalid(`hgm.percentile must be in (0, 1), got ${options.percentile}.`);
  if (!Number.isInteger(options.maxFailedExpansions) || options.maxFailedExpansions < 1) throw invalid(`hgm.maxFailedExpansions must be a positive integer, got ${options.maxFailedExpansions}.`);
}

export function createStrategy(name: StrategyName, options: StrategyOptions = {}): SearchStrategy {
  if (!STRATEGY_NAMES.includes(name)) throw new CladeError("invalid-argument", `Unknown search strategy "${String(name)}".`, `Use one of: ${STRATEGY_NAMES.join(", ")}.`);
  if (name === "hgm") {
    const hgm = { ...HGM_DEFAULTS, ...options.hgm };
    checkHgm(hgm);
    return new HgmStrategy(hgm, options.hgmSampler);
  }
  const generational = { ...GENERATIONAL_DEFAULTS, ...options.generational };
  checkGenerational(generational);
  const dgm = { ...DGM_SELECTION_DEFAULTS, ...options.dgm };
  const selector = name === "dgm" ? dgmParentSelector(dgm) : name === "greedy" ? greedyParentSelector() : randomParentSelector();
  return new GenerationalStrategy(name, selector, generational);
}
