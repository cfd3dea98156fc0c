// The engine's session service: loads the model with one sequence per parallel job and runs (or
// resumes) a session, turning its progress into protocol progress.
import { withSampling } from "../agent/llmProvider";
import { CladeError } from "../../protocol/errors";
import type { EvolveParams, EvolveResult, ProgressValue } from "../../protocol/engine";
import type { Archive } from "../archive/archive";
import type { ArchiveService } from "../archive/archiveService";
import type { ModelHost } from "../model/modelHost";
import type { ModelInfo } from "../../protocol/model";
import type { RemoteRunner } from "../queue/remoteEvaluations";
import { adapterSwitcher, trainVersion } from "../train/trainService";
import { runSession } from "./session";

export async function evolve(models: ModelHost, params: Omit<EvolveParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void; archives?: ArchiveService; log?: (message: string) => void } = {}): Promise<EvolveResult> {
  if (params.trusted === false) throw new CladeError("untrusted-workspace", "This workspace is not trusted, so Clade will not run agents or tests in it.", "Trust the workspace (Manage Workspace Trust) if you trust its code, then start the session again.");
  // The archive service lends the session its writer, so clients read the same instance meanwhile.
  const writer = await opts.archives?.acquireWriter(params.workspace);
  try {
    return await evolveWith(models, params, { ...opts, archive: writer?.archive });
  } finally {
    await writer?.release();
  }
}

async function evolveWith(models: ModelHost, params: Omit<EvolveParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void; archive?: Archive; log?: (message: string) => void }): Promise<EvolveResult> {
  const spec = { ...params.model, sequences: Math.max(params.model.sequences ?? 1, params.parallel) };
  const info = models.info?.file === spec.model && models.info.sequences >= params.parallel ? models.info : await models.load(spec, opts);
  const title = "Self-improvement session";
  const remote = params.queue
    ? await (await import("../queue/remoteEvaluations")).RemoteEvaluations.open(params.queue, info.sha256 ?? info.file, { sampling: params.sampling, jobTimeoutMs: params.queueJobTimeoutMs, noWorkerMs: params.queueNoWorkerMs, log: opts.log })
    : undefined;
  try {
    return await sessionWith(models, params, info, title, remote, opts);
  } finally {
    await remote?.close();
  }
}

async function sessionWith(models: ModelHost, params: Omit<EvolveParams, "progressToken">, info: ModelInfo, title: string, remote: RemoteRunner | undefined, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void; archive?: Archive; log?: (message: string) => void }): Promise<EvolveResult> {
  const summary = await runSession({
    remote,
    workspace: params.workspace, suite: params.suite, taskIds: params.taskIds, strategy: params.strategy, seed: params.seed, parallel: params.parallel,
    budgetEvaluations: params.budgetEvaluations, budgetTokens: params.budgetTokens, budgetWallMs: params.budgetWallMs, budgetExpansions: params.budgetExpansions,
    provider: withSampling(models, params.sampling), modelHash: info.sha256 ?? info.file, limits: { contextTokens: Math.floor(info.contextSize / info.sequences), ...params.limits },
    gateTasks: params.gateTasks, targetClusters: params.targetClusters, isolation: params.isolation, signal: opts.signal, testCommand: params.testCommand, archive: opts.archive,
    useAdapter: adapterSwitcher(models, params.workspace), trainEvery: params.trainEvery,
    trainAdapter: async (archive, parentId, signal) => (await trainVersion(models, { workspace: params.workspace, model: params.model, from: parentId, evalTasks: 0 }, { archive, signal })).nodeId,
    // The budget is spent by evaluations and gate runs alike: `done` counts both, the message shows them apart.
    onProgress: (p) => {
      // Every finished step (an expansion with its gate verdict, an evaluation, a failed job) in the log.
      if (p.message) opts.log?.(`session ${p.sessionId}: ${p.message}`);
      opts.onProgress?.({
      title, done: p.evaluationsDone + p.gateRuns, total: p.budget, ...(p.remote ? { queue: p.remote } : {}), percentage: (100 * (p.evaluationsDone + p.gateRuns)) / Math.max(1, p.budget),
      message: `${p.evaluationsDone} evaluations + ${p.gateRuns} gate runs of ${p.budget}; ${p.expansions} expansion${p.expansions === 1 ? "" : "s"} → ${p.nodes} version${p.nodes === 1 ? "" : "s"} (${p.invalidNodes} invalid); ${Math.round(p.elapsedMs / 1000)} s${p.best ? `; best ${p.best.nodeId} ${p.best.passed}/${p.best.evaluated}` : ""}${p.remote ? `; queue: ${remoteText(p.remote)}` : ""}${p.message ? ` — ${p.message}` : ""}`,
      });
    },
  });
  const { running: _running, message, ...rest } = summary;
  return message ? { ...rest, stopMessage: message } : rest;
}

/** "2 waiting, 1 running on 2 workers, 5 done" (+ why none runs, when no worker can take them). */
export function remoteText(r: { waiting: number; active: number; workers: number; done: number; idle?: string }): string {
  return `${r.waiting} waiting, ${r.active} running on ${r.workers} worker${r.workers === 1 ? "" : "s"}, ${r.done} done${r.idle ? ` (${r.idle})` : ""}`;
}
