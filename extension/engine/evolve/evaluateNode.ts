// One evaluation job: run a node on some of the tasks it has not been tested on, each recorded as
// started and then finished (or abandoned when the session stops mid-run, so a resume re-runs it).
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Archive } from "../archive/archive";
import { buildAgent } from "../agent/buildAgent";
import type { LlmProvider } from "../agent/llmProvider";
import { runTask } from "../agent/runTask";
import { CladeError } from "../../protocol/errors";
import type { RemoteRunner } from "../queue/remoteEvaluations";
import type { Task } from "../tasks/types";
import { versionAdapter } from "../train/adapterStore";
import type { SessionOptions } from "./sessionTypes";

/** What an evaluation reads of the session's options (a `clade train` evaluation has no session). */
export type EvaluateOptions = Pick<SessionOptions, "workspace" | "limits" | "isolation" | "onEvaluation" | "useAdapter">;

export interface EvaluateContext<O extends EvaluateOptions = SessionOptions> {
  /** Evaluations on a queue's workers instead of in this process (adapter versions still run here). */
  remote?: { runner: RemoteRunner; suite: { spec: string; hash: string } };
  archive: Archive;
  options: O;
  provider: LlmProvider;
  /** The suite's tasks in the session's fixed evaluation order. */
  tasks: readonly Task[];
  buildCacheDir: string;
  signal: AbortSignal;
}

/** `onStarted` is called once the evaluations are on record as started (the strategy may be asked again). */
export async function evaluateNode(context: EvaluateContext<EvaluateOptions>, nodeId: string, count: number, onStarted?: () => void): Promise<string> {
  const { archive } = context;
  const untested = new Set(archive.untestedTasks(nodeId));
  // Tasks another job of this archive chose but has not yet recorded as started are not untested:
  // the session asks the strategy again once the first start is on record, not the last.
  const claims = claimsOf(archive);
  const chosen = context.tasks.filter((t) => untested.has(t.id) && !claims.has(`${nodeId}/${t.id}`)).slice(0, count);
  if (!chosen.length) return `evaluation of ${nodeId}: no untested task`;
  // Claim the tasks first, so a strategy asked again sees them in flight.
  const runs = chosen.map((task) => ({ task, runId: randomUUID().slice(0, 8) }));
  for (const run of runs) claims.add(`${nodeId}/${run.task.id}`);
  try {
    for (const run of runs) await archive.recordEvaluationStarted(nodeId, run.task.id, run.runId);
    onStarted?.();
  } finally {
    for (const run of runs) claims.delete(`${nodeId}/${run.task.id}`);
  }
  const adapter = versionAdapter(context.options.workspace, archive.requireNode(nodeId));
  if (context.remote && !adapter) return evaluateRemotely(context, context.remote, nodeId, runs);
  const bundle = await bundleFor(context, nodeId).catch(async (error: unknown) => {
    for (const run of runs) await archive.recordEvaluationAbandoned(run.runId, `the version does not build: ${String(error)}`).catch(() => undefined);
    throw error;
  });
  // An adapter version runs with its LoRA adapter attached; any other version without.
  await attachAdapter(context, nodeId).catch(async (error: unknown) => {
    for (const run of runs) await archive.recordEvaluationAbandoned(run.runId, `its adapter could not be attached: ${String(error)}`).catch(() => undefined);
    throw error;
  });
  let passed = 0;
  let finished = 0;
  let failure: unknown;
  for (const { task, runId } of runs) {
    if (context.signal.aborted) {
      await archive.recordEvaluationAbandoned(runId, "the session was stopped");
      continue;
    }
    try {
      const result = await runTask({
        task, versionId: nodeId, bundle, provider: context.provider, runsDir: path.join(context.options.workspace, ".clade", "runs"),
        limits: context.options.limits, isolation: context.options.isolation, signal: context.signal, runId,
      });
      if (context.signal.aborted) await archive.recordEvaluationAbandoned(runId, "the session was stopped");
      else {
        await archive.recordEvaluationFinished(nodeId, result);
        context.options.onEvaluation?.({ nodeId, taskId: task.id, runId, passed: result.passed });
        passed += Number(result.passed);
        finished += 1;
      }
    } catch (error) {
      await archive.recordEvaluationAbandoned(runId, `the run failed: ${error instanceof Error ? error.message : String(error)}`);
      if (context.signal.aborted) throw error;
      failure ??= error;
    }
  }
  // Every run failed to run at all (not: ran and failed its tests): the session must hear of it,
  // or it would ask for the same evaluations forever.
  if (failure && finished === 0) throw failure;
  return `evaluation of ${nodeId}: ${passed}/${runs.length} passed`;
}

/** The runs as jobs on the queue, all at once (the workers run them in parallel); recorded as they come back. */
async function evaluateRemotely(context: EvaluateContext<EvaluateOptions>, remote: NonNullable<EvaluateContext["remote"]>, nodeId: string, runs: { task: Task; runId: string }[]): Promise<string> {
  const { archive } = context;
  const runsDir = path.join(context.options.workspace, ".clade", "runs");
  const outcomes = await Promise.all(runs.map(async ({ task, runId }) => {
    try {
      const result = await remote.runner.run({ archive, nodeId, task, runId, suite: remote.suite, runsDir, limits: context.options.limits, isolation: context.options.isolation, signal: context.signal });
      // Recorded once: a run abandoned meanwhile (stopped, timed out) keeps its abandonment.
      if (context.signal.aborted || !archive.inFlightEvaluations().some((r) => r.runId === runId)) {
        if (archive.inFlightEvaluations().some((r) => r.runId === runId)) await archive.recordEvaluationAbandoned(runId, "the session was stopped");
        return { finished: false as const };
      }
      await archive.recordEvaluationFinished(nodeId, result);
      context.options.onEvaluation?.({ nodeId, taskId: task.id, runId, passed: result.passed });
      return { finished: true as const, passed: result.passed };
    } catch (error) {
      if (archive.inFlightEvaluations().some((r) => r.runId === runId)) await archive.recordEvaluationAbandoned(runId, `the run failed on the queue: ${error instanceof Error ? error.message : String(error)}`).catch(() => undefined);
      return { finished: false as const, error };
    }
  }));
  const finished = outcomes.filter((o) => o.finished);
  const failure = outcomes.find((o) => "error" in o && o.error)?.error;
  if (context.signal.aborted) throw new CladeError("cancelled", "The session was stopped.", "Nothing to fix.");
  if (failure && finished.length === 0) throw failure;
  return `evaluation of ${nodeId} on the queue: ${finished.filter((o) => o.passed).length}/${runs.length} passed`;
}

const pendingClaims = new WeakMap<Archive, Set<string>>();
function claimsOf(archive: Archive): Set<string> {
  let claims = pendingClaims.get(archive);
  if (!claims) pendingClaims.set(archive, (claims = new Set()));
  return claims;
}

async function attachAdapter(context: EvaluateContext<EvaluateOptions>, nodeId: string): Promise<void> {
  const file = versionAdapter(context.options.workspace, context.archive.requireNode(nodeId));
  if (context.options.useAdapter) await context.options.useAdapter(file);
  else if (file) throw new CladeError("invalid-argument", `Version ${nodeId} is a LoRA adapter version, and this session's model provider cannot attach adapters.`, "Evaluate it with a loaded model (`clade evolve`/`clade train --model F`), not a scripted provider.");
}

async function bundleFor(context: EvaluateContext<EvaluateOptions>, nodeId: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `clade-node-${nodeId}-`));
  try {
    await context.archive.exportNode(nodeId, dir);
    const build = await buildAgent(dir, { cacheDir: context.buildCacheDir, signal: context.signal });
    if (!build.ok) throw new Error(`${build.stage}: ${build.message.slice(0, 500)}`);
    return build.bundle;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
