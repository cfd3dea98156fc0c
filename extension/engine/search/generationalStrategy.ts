// The DGM loop shared by `dgm`, `greedy` and `random` (they differ only in parent selection, like
// the DGM paper's ablations): draw k parents at once, expand each, run every working child through
// staged evaluation (capped at a share of the budget: stagedEvaluation.ts), and start the next
// generation once all of that has finished.

import { ArchiveIndex } from "./archiveIndex";
import { bestMeanPick } from "./finalPick";
import type { ParentSelector } from "./parentSelectors";
import type { Rng } from "./rng";
import { stagedComplete, stagedNeed, type StagedEvaluationOptions } from "./stagedEvaluation";
import type { ArchiveView, SearchAction, SearchBudget, SearchStrategy, StrategyName } from "./types";

export interface GenerationalOptions extends StagedEvaluationOptions {
  /** k: parents drawn per generation (DGM: 2 on SWE-bench, 4 on Polyglot). */
  readonly parentsPerGeneration: number;
}

export class GenerationalStrategy implements SearchStrategy {
  private readonly index = new ArchiveIndex();
  /** Parents drawn for the current generation and not yet expanded. */
  private queue: string[] = [];
  /** B as last seen by `next`: the staged-evaluation cap depends on it (finalPick is given no budget). */
  private budgetTotal: number | undefined;

  constructor(
    readonly name: StrategyName,
    private readonly selector: ParentSelector,
    private readonly options: GenerationalOptions,
  ) {}

  next(view: ArchiveView, budget: SearchBudget, rng: Rng): SearchAction {
    const index = this.index.update(view);
    this.budgetTotal = budget.total;
    const remaining = budget.total - budget.used - index.evaluationsInFlight;
    const busy = index.evaluationsInFlight + index.expansionsInFlight > 0;
    if (remaining <= 0) {
      this.queue = [];
      return busy ? { kind: "wait" } : { kind: "stop" };
    }
    for (const node of index.nodes) {
      const need = stagedNeed(node, this.options, budget.total);
      if (need > 0) return { kind: "evaluate", nodeId: node.id, tasks: Math.min(need, remaining) };
    }
    const queued = this.queue.shift();
    if (queued !== undefined) return { kind: "expand", nodeId: queued };
    if (busy) return { kind: "wait" };
    const parents = this.selector.select(index, this.options.parentsPerGeneration, rng);
    if (parents.length === 0) return { kind: "stop" };
    this.queue = parents.slice(1);
    return { kind: "expand", nodeId: parents[0] };
  }

  /** The best observed mean among nodes whose staged evaluation has finished. */
  finalPick(view: ArchiveView): string | null {
    return bestMeanPick(view.nodes(), (node) => stagedComplete(node, this.options, this.budgetTotal));
  }
}
