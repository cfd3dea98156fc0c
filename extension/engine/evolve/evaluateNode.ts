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
import type { Task } from "../tasks/types";
import type { SessionOptions } from "./sessionTypes";

export interface EvaluateContext {
  archive: Archive;
  options: SessionOptions;
  provider: LlmProvider;
  /** The suite's tasks in the session's fixed evaluation order. */
  tasks: readonly Task[];
  buildCacheDir: string;
  signal: AbortSignal;
}

export async function evaluateNode(context: EvaluateContext, nodeId: string, count: number): Promise<string> {
  const { archive } = context;
  const untested = new Set(archive.untestedTasks(nodeId));
  const chosen = context.tasks.filter((t) => untested.has(t.id)).slice(0, count);
  if (!chosen.length) return `evaluation of ${nodeId}: no untested task`;
  // Claim the tasks first, so a strategy asked again sees them in flight.
  const runs = chosen.map((task) => ({ task, runId: randomUUID().slice(0, 8) }));
  for (const run of runs) await archive.recordEvaluationStarted(nodeId, run.task.id, run.runId);
  const bundle = await bundleFor(context, nodeId).catch(async (error: unknown) => {
    for (const run of runs) await archive.recordEvaluationAbandoned(run.runId, `the version does not build: ${String(error)}`).catch(() => undefined);
    throw error;
  });
  let passed = 0;
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
      }
    } catch (error) {
      await archive.recordEvaluationAbandoned(runId, `the run failed: ${error instanceof Error ? error.message : String(error)}`);
      if (context.signal.aborted) throw error;
    }
  }
  return `evaluation of ${nodeId}: ${passed}/${runs.length} passed`;
}

async function bundleFor(context: EvaluateContext, nodeId: string): Promise<string> {
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
