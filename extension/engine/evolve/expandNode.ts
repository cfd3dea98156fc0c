// One expansion: choose what to fix in the parent, diagnose it, let the parent edit its own
// scaffold, and gate the result. Every outcome is recorded: a working child (pending), an invalid
// child with the reason, or a failed expansion (nothing to learn from, empty diff, diagnosis failed).
import { failureSignature } from "../train/recipes/failureSignature";
import { parseTrajectory } from "../train/readTrajectory";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TokenUsage } from "../../protocol/model";
import type { Archive } from "../archive/archive";
import { buildAgent } from "../agent/buildAgent";
import type { Rng } from "../search/rng";
import type { Task } from "../tasks/types";
import { chooseTarget, type ParentRun } from "./chooseTarget";
import { diagnose } from "./diagnose";
import { implement } from "./implement";
import { validateChild } from "./validate";
import { evaluateNode, type EvaluateContext } from "./evaluateNode";
import type { GateLog } from "./gateLog";

export interface ExpandContext extends EvaluateContext {
  /** The gate tasks (validate.ts chooseGateTasks); empty: none, for `noGateTasksReason`. */
  gateTasks: readonly Task[];
  noGateTasksReason?: string;
  /** Where the gate's runs are recorded and counted (and a parent's earlier gate results found). */
  gateLog: GateLog;
  /** Whether the session's budget (evaluations + gate runs) has room for another evaluation. */
  budgetLeft(): boolean;
  rng: Rng;
}

/** A self-edit needs a failure to learn from: a parent without one is first run on a few more tasks. */
export const PROBE_TASKS = 2;

/** `onStarted` is called once the expansion is on record as started (the strategy may be asked again). */
export async function expandNode(context: ExpandContext, parentId: string, onStarted?: () => void): Promise<string> {
  const { archive } = context;
  const expansionId = await archive.recordExpansionStarted(parentId);
  onStarted?.();
  const parentDir = await fs.mkdtemp(path.join(os.tmpdir(), `clade-parent-${parentId}-`));
  try {
    await archive.exportNode(parentId, parentDir);
    for (let probe = 0; probe < PROBE_TASKS && context.budgetLeft() && !archive.results(parentId).some((r) => !r.passed) && archive.untestedTasks(parentId).length; probe++) {
      await evaluateNode(context, parentId, 1);
    }
    const byCluster = context.options.targetClusters === true;
    const target = chooseTarget(await parentRuns(archive, parentId, byCluster), context.rng, 0.25, { byCluster });
    if (!target) {
      await archive.recordExpansionFinished(expansionId, "failed", "the parent has no failed run to learn from");
      return `expansion of ${parentId}: nothing to fix`;
    }
    const parentBuild = await buildAgent(parentDir, { cacheDir: context.buildCacheDir, signal: context.signal });
    if (!parentBuild.ok) {
      await archive.recordExpansionFinished(expansionId, "failed", `the parent does not build: ${parentBuild.message.slice(0, 500)}`);
      return `expansion of ${parentId}: parent does not build`;
    }
    const { diagnosis } = await diagnose({ provider: context.provider, scaffoldDir: parentDir, target, contextTokens: context.options.limits?.contextTokens, maxPromptChars: context.options.diagnosisPromptChars, seed: Math.floor(context.rng.next() * 2 ** 31), signal: context.signal });
    const edit = await implement({
      parentScaffoldDir: parentDir, parentBundle: parentBuild.bundle, diagnosis, provider: context.provider,
      trajectoryFile: path.join(context.options.workspace, ".clade", "runs", "self-edits", `${expansionId}.jsonl`),
      limits: context.options.selfEditLimits ?? context.options.limits, signal: context.signal,
    });
    try {
      if (!edit.changed) {
        await archive.recordExpansionFinished(expansionId, "failed", "empty diff: the self-edit changed nothing");
        return `expansion of ${parentId}: empty diff`;
      }
      const origin = { kind: "self-edit" as const, targetTask: target.run.taskId, diagnosis, problemStatement: diagnosis.problemStatement };
      // What making the node cost: the self-edit, and the gate's runs (so they count in the token budget).
      const tokens: TokenUsage = { ...edit.usage };
      let wallMs = edit.wallMs;
      const gate = await validateChild({
        scaffoldDir: edit.dir, versionId: `candidate-${expansionId}`, buildCacheDir: context.buildCacheDir,
        // Under .clade/runs like evaluations, so a bwrap run hides the archive from the agent's commands.
        runsDir: path.join(context.options.workspace, ".clade", "runs"), provider: context.provider,
        tasks: context.gateTasks, noTasksReason: context.noGateTasksReason,
        parent: { id: parentId, bundle: parentBuild.bundle, recorded: (taskId) => archive.resultsByTask(parentId).get(taskId)?.[0]?.passed ?? context.gateLog.result(parentId, taskId) },
        limits: context.options.limits, isolation: context.options.isolation, signal: context.signal,
        onRun: async (role, run) => {
          tokens.promptTokens += run.usage.promptTokens;
          tokens.cachedPromptTokens += run.usage.cachedPromptTokens;
          tokens.completionTokens += run.usage.completionTokens;
          wallMs += run.wallMs;
          await context.gateLog.recordRun(expansionId, role, run);
        },
      });
      const node = await archive.addNode(parentId, edit.dir, {
        origin, expansionId, cost: { tokens, wallMs },
        ...(gate.ok ? {} : { status: "invalid" as const, statusReason: `gate (${gate.stage}): ${gate.reason}` }),
      });
      const record = gate.record;
      await context.gateLog.recordVerdict({
        expansionId, parentId, nodeId: node.id, ok: gate.ok, stage: gate.ok ? null : gate.stage, tasks: record?.tasks ?? [],
        candidatePassed: record?.candidatePassed ?? null, parentPassed: record?.parentPassed ?? null, summary: gate.ok ? gate.record.summary : gate.reason.slice(0, 1000),
      });
      return `expansion of ${parentId}: ${node.id} ${gate.ok ? `passed the gate (${gate.record.summary})` : `invalid (${gate.stage}${gate.stage === "tasks" ? `: ${gate.reason}` : ""})`}`;
    } finally {
      await edit.dispose();
    }
  } catch (error) {
    if (context.signal.aborted) {
      await archive.recordExpansionFinished(expansionId, "abandoned", "the session was stopped");
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    await archive.recordExpansionFinished(expansionId, "failed", message.slice(0, 1000));
    return `expansion of ${parentId}: failed (${message.slice(0, 200)})`;
  } finally {
    await fs.rm(parentDir, { recursive: true, force: true });
  }
}

/** The parent's finished runs, with whether each changed any file (DGM's "empty patch"). */
/** The parent's runs; failure signatures (a parse of each failed run's trajectory) only when targeting clusters. */
async function parentRuns(archive: Archive, nodeId: string, withSignatures: boolean): Promise<ParentRun[]> {
  return Promise.all(
    archive.results(nodeId).map(async (r) => {
      const text = await fs.readFile(r.trajectory, "utf8").catch(() => "");
      const signature = withSignatures && !r.passed ? signatureOf(r.trajectory, text) : undefined;
      return { taskId: r.taskId, passed: r.passed, stopReason: r.stopReason, trajectory: r.trajectory, changedFiles: editedFiles(text), ...(signature ? { signature } : {}) };
    }),
  );
}

function editedFiles(text: string): boolean {
  return /"type":"tool-result"[^\n]*"name":"(edit_file|write_file)","ok":true/.test(text);
}

function signatureOf(file: string, text: string): string | undefined {
  try {
    return failureSignature(parseTrajectory(file, text));
  } catch {
    return undefined;
  }
}
