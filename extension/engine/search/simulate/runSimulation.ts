// Runs one strategy on one landscape with `parallel` workers and a budget of task evaluations, as
// a discrete-event simulation: an evaluation takes 1 time unit, an expansion `expansionTime`.
// After every finished evaluation it asks the strategy for its final pick; the run "reaches the
// target" at the first evaluation count where that pick's hidden quality is ≥ target. A strategy
// is thus judged on the node it would answer with if stopped there, not on what it happened to
// create (that oracle figure, bestQualityCreated, is reported beside it). With `gateRuns`, every
// finished expansion also spends that many task runs of the budget, as the evolve loop's validation
// gate does (shown to the strategy as SearchBudget.gateRuns).

import { CladeError } from "../../../protocol/errors";
import type { Rng } from "../rng";
import type { SearchStrategy } from "../types";
import type { Landscape } from "./landscape";
import { SimArchive, type SimNode } from "./simArchive";

export interface SimulationOptions {
  /** B: task evaluations in the run. */
  readonly budget: number;
  /** True quality the final pick must reach. */
  readonly target: number;
  readonly parallel?: number;
  /** Duration of one expansion, in evaluations (only matters with parallel > 1). */
  readonly expansionTime?: number;
  /** Safety stop: expansions allowed (default: the budget). */
  readonly maxExpansions?: number;
  /** Task runs of the budget each finished expansion spends on its gate (default 0). */
  readonly gateRuns?: number;
}

export interface SimulationResult {
  /** Evaluations finished when the final pick first had quality ≥ target; null if never. */
  readonly evaluationsToTarget: number | null;
  /** Expansions started by then; null if never. */
  readonly expansionsToTarget: number | null;
  readonly evaluations: number;
  /** Budget spent by gates (`gateRuns` per finished expansion). */
  readonly gateRuns: number;
  readonly expansions: number;
  /** Nodes at the end, the root included. */
  readonly nodes: number;
  readonly invalidNodes: number;
  /** Hidden quality of the final pick at the end of the budget (0 without a pick). */
  readonly finalQuality: number;
  /** Best hidden quality of any working node created (what an oracle would pick). */
  readonly bestQualityCreated: number;
}

interface Job {
  readonly finish: number;
  readonly order: number;
  readonly node: SimNode;
  /** Child ordinal for an expansion; -1 for an evaluation. */
  readonly ordinal: number;
}

export function runSimulation(strategy: SearchStrategy, landscape: Landscape, rng: Rng, options: SimulationOptions): SimulationResult {
  const counts = { budget: options.budget, parallel: options.parallel ?? 1, expansionTime: options.expansionTime ?? 1 };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 1) throw new CladeError("invalid-argument", `Simulation ${name} must be a positive integer, got ${value}.`, `Pass a whole number ≥ 1 as ${name}.`);
  }
  const gateRuns = options.gateRuns ?? 0;
  if (!Number.isInteger(gateRuns) || gateRuns < 0) throw new CladeError("invalid-argument", `Simulation gateRuns must be a non-negative integer, got ${gateRuns}.`, "Pass a whole number ≥ 0 as gateRuns.");
  if (!Number.isFinite(options.target)) throw new CladeError("invalid-argument", `Simulation target must be a number, got ${options.target}.`, "Pass a target quality in [0, 1].");
  return new Simulation(strategy, landscape, rng, options).run();
}

class Simulation {
  private readonly archive: SimArchive;
  private readonly parallel: number;
  private readonly running: Job[] = [];
  /** Evaluations reserved by an evaluate action, waiting for a worker. */
  private readonly backlog: SimNode[] = [];
  private time = 0;
  private order = 0;
  private used = 0;
  private gateRuns = 0;
  private expansions = 0;
  private reachedAt: number | null = null;
  private expansionsAt: number | null = null;

  constructor(
    private readonly strategy: SearchStrategy,
    landscape: Landscape,
    private readonly rng: Rng,
    private readonly options: SimulationOptions,
  ) {
    this.archive = new SimArchive(landscape);
    this.parallel = options.parallel ?? 1;
  }

  run(): SimulationResult {
    for (this.fill(); this.running.length > 0; this.fill()) this.finish(takeEarliest(this.running));
    const nodes = this.archive.nodes();
    return {
      evaluationsToTarget: this.reachedAt,
      expansionsToTarget: this.expansionsAt,
      evaluations: this.used,
      gateRuns: this.gateRuns,
      expansions: this.expansions,
      nodes: nodes.length,
      invalidNodes: nodes.filter((node) => node.status === "invalid").length,
      finalQuality: pickQuality(this.strategy, this.archive) ?? 0,
      bestQualityCreated: Math.max(...nodes.filter((node) => node.status !== "invalid").map((node) => node.hidden.quality)),
    };
  }

  /** Gives every free worker work: reserved evaluations first, then the strategy's next action. */
  private fill(): void {
    const maxExpansions = this.options.maxExpansions ?? this.options.budget;
    while (this.running.length < this.parallel) {
      const queued = this.backlog.shift();
      if (queued) {
        this.start(queued, -1, 1);
        continue;
      }
      const action = this.strategy.next(this.archive, { total: this.options.budget, used: this.used + this.gateRuns, gateRuns: this.gateRuns }, this.rng);
      if (action.kind === "expand" && this.expansions < maxExpansions) {
        const parent = this.archive.get(action.nodeId);
        this.expansions++;
        this.start(parent, this.archive.startExpansion(parent), this.options.expansionTime ?? 1);
      } else if (action.kind === "evaluate") {
        const node = this.archive.get(action.nodeId);
        if (!(action.tasks >= 1)) throw new Error(`${this.strategy.name} asked to evaluate ${node.id} on ${action.tasks} tasks`);
        this.archive.startEvaluations(node, action.tasks);
        for (let i = 0; i < action.tasks; i++) this.backlog.push(node);
      } else return;
    }
  }

  private start(node: SimNode, ordinal: number, duration: number): void {
    this.running.push({ finish: this.time + duration, order: this.order++, node, ordinal });
  }

  private finish(job: Job): void {
    this.time = job.finish;
    if (job.ordinal >= 0) {
      this.archive.finishExpansion(job.node, job.ordinal);
      this.gateRuns += this.options.gateRuns ?? 0;
      return;
    }
    this.archive.finishEvaluation(job.node);
    this.used++;
    if (this.reachedAt === null && (pickQuality(this.strategy, this.archive) ?? -1) >= this.options.target) {
      this.reachedAt = this.used;
      this.expansionsAt = this.expansions;
    }
  }
}

/** Hidden quality of the strategy's current answer; null while it has none. */
function pickQuality(strategy: SearchStrategy, archive: SimArchive): number | null {
  const pick = strategy.finalPick(archive);
  return pick === null ? null : archive.get(pick).hidden.quality;
}

/** Removes and returns the job that finishes first (ties: the one started first). */
function takeEarliest(running: Job[]): Job {
  let best = 0;
  for (let i = 1; i < running.length; i++) {
    const a = running[i];
    const b = running[best];
    if (a.finish < b.finish || (a.finish === b.finish && a.order < b.order)) best = i;
  }
  return running.splice(best, 1)[0];
}
