// Public surface of the search module: the archive view strategies read, the four strategies, their
// building blocks (for tests and the archive's own tooling), and the simulation benchmark.

export type { ArchiveView, SearchAction, SearchBudget, SearchNode, SearchNodeStatus, SearchStrategy, StrategyName } from "./types";
export { STRATEGY_NAMES } from "./types";
export { createRng, hash32, type Rng } from "./rng";
export { sampleBeta, sampleGamma } from "./betaSampling";
export { betaCdf, betaQuantile, logGamma } from "./betaQuantile";
export { ArchiveIndex } from "./archiveIndex";
export { accuracy, dgmParentProbabilities, dgmWeight, DGM_SELECTION_DEFAULTS, type DgmSelectionOptions } from "./dgmParentSelection";
export { dgmParentSelector, greedyParentSelector, randomParentSelector, type ParentSelector } from "./parentSelectors";
export { stagedCap, stagedComplete, stagedNeed, stagedTarget, STAGED_EVALUATION_DEFAULTS, type StagedEvaluationOptions } from "./stagedEvaluation";
export { bestMeanPick, PessimisticScore } from "./finalPick";
export { GenerationalStrategy, type GenerationalOptions } from "./generationalStrategy";
export { HgmStrategy, HGM_DEFAULTS, hgmShouldExpand, hgmTemperature, type BetaSampler, type HgmOptions } from "./hgmStrategy";
export { createStrategy, GENERATIONAL_DEFAULTS, type StrategyOptions } from "./createStrategy";
export { Landscape, LANDSCAPE_DEFAULTS, type HiddenNode, type LandscapeOptions } from "./simulate/landscape";
export { SimArchive, SimNode } from "./simulate/simArchive";
export { runSimulation, type SimulationOptions, type SimulationResult } from "./simulate/runSimulation";
export { benchSearch, BENCH_SEARCH_DEFAULTS, medianOrNull, type BenchSearchOptions, type BenchSearchResult, type StrategyFigures } from "./simulate/benchSearch";
