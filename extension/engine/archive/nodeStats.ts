// Per-node running totals kept by the replay: own results, runs in flight, which tasks were tried,
// expansions in flight. The search view reads these into fresh SearchNode objects; nothing here is
// shared with (or changed by) a strategy.
import type { TokenUsage } from "../../protocol/model";
import type { SearchNode } from "../search/types";
import type { EvaluationFinishedEvent, RunRecordedEvent } from "./events";
import type { ArchiveNode, EvaluationRecord, NodeTotals } from "./types";

export function addTokens(into: { promptTokens: number; cachedPromptTokens: number; completionTokens: number }, add: TokenUsage): void {
  into.promptTokens += add.promptTokens;
  into.cachedPromptTokens += add.cachedPromptTokens;
  into.completionTokens += add.completionTokens;
}

export class NodeStats {
  successes = 0;
  failures = 0;
  /** Finished evaluations, kept as their events (a 10,000-node replay allocates no copies). */
  readonly evaluations: EvaluationFinishedEvent[] = [];
  /** Runs outside sessions (never part of the score). */
  readonly otherRuns: RunRecordedEvent[] = [];
  /** Evaluations started and not ended (the runs themselves are in ArchiveState.running). */
  inFlight = 0;
  /** Per task: finished + running evaluations. */
  readonly taskUse = new Map<string, number>();
  /** Distinct tasks of the current task set that were tried or are running. */
  tasksTriedInSet = 0;
  expansionsInFlight = 0;
  readonly children: string[] = [];
  readonly tokens = { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 };
  wallMs = 0;
  modelMs = 0;

  /** Counts one more use of `taskId` (started, or finished without a recorded start). */
  useTask(taskId: string, taskSet: ReadonlySet<string>): void {
    const uses = this.taskUse.get(taskId) ?? 0;
    this.taskUse.set(taskId, uses + 1);
    if (uses === 0 && taskSet.has(taskId)) this.tasksTriedInSet++;
  }

  /** Takes back a use (an abandoned run): the task is untested again if nothing else used it. */
  releaseTask(taskId: string, taskSet: ReadonlySet<string>): void {
    const uses = (this.taskUse.get(taskId) ?? 0) - 1;
    if (uses > 0) {
      this.taskUse.set(taskId, uses);
      return;
    }
    this.taskUse.delete(taskId);
    if (taskSet.has(taskId)) this.tasksTriedInSet--;
  }

  addResult(event: EvaluationFinishedEvent): void {
    this.evaluations.push(event);
    if (event.passed) this.successes++;
    else this.failures++;
    addTokens(this.tokens, event.tokens);
    this.wallMs += event.wallMs;
    this.modelMs += event.modelMs;
  }

  /** Whether this node already finished a run with this id (a linear scan: nodes hold few results). */
  finished(runId: string): boolean {
    for (let i = this.evaluations.length - 1; i >= 0; i--) if (this.evaluations[i].runId === runId) return true;
    return false;
  }

  records(): EvaluationRecord[] {
    return this.evaluations.map((e) => ({
      nodeId: e.nodeId, taskId: e.taskId, runId: e.runId, passed: e.passed, tokens: { ...e.tokens }, wallMs: e.wallMs, modelMs: e.modelMs,
      turns: e.turns, stopReason: e.stopReason, trajectory: e.trajectory, finishedAt: e.at,
    }));
  }

  /** Recounts the tried tasks after the task set changed (a new session). */
  recountTasks(taskSet: ReadonlySet<string>): void {
    let tried = 0;
    for (const taskId of this.taskUse.keys()) if (taskSet.has(taskId)) tried++;
    this.tasksTriedInSet = tried;
  }

  totals(): NodeTotals {
    return {
      evaluations: this.successes + this.failures,
      passed: this.successes,
      failed: this.failures,
      inFlight: this.inFlight,
      tokens: { ...this.tokens },
      wallMs: this.wallMs,
      modelMs: this.modelMs,
      lastEvaluatedAt: this.evaluations.length ? this.evaluations[this.evaluations.length - 1].at : null,
    };
  }

  searchNode(node: ArchiveNode, taskCount: number): SearchNode {
    const invalid = node.status === "invalid";
    return Object.freeze({
      id: node.id,
      parentId: node.parentId,
      status: node.status,
      successes: this.successes,
      failures: this.failures,
      untestedTasks: invalid ? 0 : Math.max(0, taskCount - this.tasksTriedInSet),
      evaluationsInFlight: this.inFlight,
      expansionsInFlight: this.expansionsInFlight,
    });
  }
}
