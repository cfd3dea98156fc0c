// What a self-edit tries to fix: a random unresolved task of the parent, or, with probability 0.25
// each and when they apply (DGM's special cases, in order), "empty patches" (≥ 10% of its runs
// changed nothing), "stochasticity" (a task it both passed and failed) or "context length" (a run
// that hit its token budget).
import type { Rng } from "../search/rng";
import { clusterFailures } from "../train/recipes/recipes";

export interface ParentRun {
  taskId: string;
  passed: boolean;
  stopReason: string;
  /** Whether the run changed any file (an "empty patch" when false). */
  changedFiles: boolean;
  trajectory: string;
  /** What failed (failing tests, error class, stop reason), for targetClusters. */
  signature?: string;
}

export type Target =
  | { kind: "failed-task"; run: ParentRun }
  | { kind: "empty-patches"; run: ParentRun; share: number }
  | { kind: "stochasticity"; run: ParentRun }
  | { kind: "context-length"; run: ParentRun };

export function chooseTarget(runs: readonly ParentRun[], rng: Rng, probability = 0.25, options: { byCluster?: boolean } = {}): Target | undefined {
  const failed = runs.filter((r) => !r.passed);
  if (!failed.length) return undefined;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng.next() * list.length)];
  const empty = runs.filter((r) => !r.changedFiles);
  if (empty.length / runs.length >= 0.1 && rng.next() < probability) {
    const emptyFailed = failed.filter((r) => !r.changedFiles);
    if (emptyFailed.length) return { kind: "empty-patches", run: pick(emptyFailed), share: empty.length / runs.length };
  }
  const flaky = failed.filter((r) => runs.some((other) => other.taskId === r.taskId && other.passed));
  if (flaky.length && rng.next() < probability) return { kind: "stochasticity", run: pick(flaky) };
  const overflow = failed.filter((r) => r.stopReason === "token-limit");
  if (overflow.length && rng.next() < probability) return { kind: "context-length", run: pick(overflow) };
  return { kind: "failed-task", run: options.byCluster ? pickByCluster(runs, failed, rng) : pick(failed) };
}

/** A failed run drawn with probability ∝ the failure rate of its signature's cluster (the worst clusters most). */
export function pickByCluster(runs: readonly ParentRun[], failed: readonly ParentRun[], rng: Rng): ParentRun {
  const rate = new Map(clusterFailures(runs.map((r) => ({ task: r.taskId, steps: [], passed: r.passed, ...(r.signature ? { signature: r.signature } : {}) }))).map((c) => [c.signature, c.failureRate]));
  const weights = failed.map((r) => rate.get(r.signature ?? `task:${r.taskId}`) ?? 0);
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return failed[Math.floor(rng.next() * failed.length)];
  let u = rng.next() * total;
  for (let i = 0; i < failed.length; i++) {
    u -= weights[i];
    if (u < 0) return failed[i];
  }
  return failed[failed.length - 1];
}

export function targetNote(target: Target): string {
  switch (target.kind) {
    case "empty-patches":
      return `The agent often finishes without changing any file (${Math.round(target.share * 100)}% of its runs). Make it reliably produce an edit.`;
    case "stochasticity":
      return "The agent solves this task only some of the time. Make its behaviour more reliable.";
    case "context-length":
      return "The agent ran out of its token budget on this task. Make it use its context more economically.";
    case "failed-task":
      return "The agent failed this task.";
  }
}
