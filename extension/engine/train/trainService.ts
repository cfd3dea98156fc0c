// The engine's `train` request: load the base model, train an adapter version from the archive's
// passed runs (trainAdapterNode), then evaluate it like any version, on the tasks its parent was
// evaluated on first, with the adapter attached to the model host's context.
import os from "node:os";
import path from "node:path";
import type { ProgressValue, TrainParams, TrainResult } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import { isRemoteModel } from "../model/remote/remoteSpec";
import { Archive } from "../archive/archive";
import { evaluateNode } from "../evolve/evaluateNode";
import type { ModelHost } from "../model/modelHost";
import { openSuite } from "../tasks/openSuite";
import { loraForVersion } from "./adapterStore";
import { trainAdapterNode } from "./trainAdapterNode";
import { resolveTrainerBackend } from "./trainerBackend";

type Control = { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void };

/** Attaches a version's adapter (null: none of this workspace's) to the model host's context. */
export function adapterSwitcher(models: ModelHost, workspace: string): (file: string | null) => Promise<void> {
  return async (file) => {
    const current = models.info?.lora ?? [];
    await models.useLora(loraForVersion(workspace, current, file));
  };
}

/** `opts.archive`: the workspace's archive opened writable by the caller (the engine's archive service); else it is opened here. */
export async function trainVersion(models: ModelHost, params: Omit<TrainParams, "progressToken">, opts: Control & { archive?: Archive } = {}): Promise<TrainResult> {
  if (isRemoteModel(params.model.model)) {
    throw new CladeError("invalid-argument", `Adapters are trained on the base model's GGUF file in this process; ${params.model.model} is a model on an inference server.`, "Train with the same model as a local GGUF file (--model FILE.gguf); the adapter version then runs in-process.");
  }
  const loaded = models.info && [params.model.model, path.resolve(params.model.model)].includes(models.info.file) ? models.info : undefined;
  const info = loaded ?? (await models.load({ ...params.model, sequences: 1 }, opts));
  if (!info.sha256) throw new CladeError("internal", "The loaded model has no sha256.", "Reload the model.");
  const archive = opts.archive ?? await Archive.open(params.workspace).catch((error: unknown) => {
    if (CladeError.is(error, "archive-missing")) throw new CladeError("archive-missing", `There is no archive in ${params.workspace} to train from.`, "Run `clade evolve` in this workspace first: adapters are trained on the passed runs of its versions.");
    throw error;
  });
  try {
    // The model host's gpu and gpuLayers settings choose the trainer's backend too (trainerBackend.ts).
    const trainer = await resolveTrainerBackend({ gpu: params.model.gpu, gpuLayers: params.model.gpuLayers });
    const trained = await trainAdapterNode({
      archive, workspace: params.workspace, modelFile: info.file, modelSha256: info.sha256, from: params.from, allRuns: params.allRuns,
      rank: params.rank, alpha: params.alpha, epochs: params.epochs, learningRate: params.learningRate, maxSteps: params.maxSteps,
      contextSize: params.contextSize, seed: params.seed, threads: params.threads ?? info.threads, recipe: params.recipe, beta: params.beta, trainer, signal: opts.signal, onProgress: opts.onProgress,
    });
    const evaluation = await evaluate(models, archive, params, trained.node.id, trained.parentId, opts);
    return { nodeId: trained.node.id, parentId: trained.parentId, adapterHash: trained.adapterHash, adapterFile: trained.adapterFile, training: { ...trained.training }, trainer, evaluation };
  } finally {
    if (!opts.archive) await archive.dispose();
  }
}

async function evaluate(models: ModelHost, archive: Archive, params: Omit<TrainParams, "progressToken">, nodeId: string, parentId: string, opts: Control): Promise<TrainResult["evaluation"]> {
  const config = archive.session()?.config;
  const parentTasks = [...new Set(archive.results(parentId).map((r) => r.taskId))];
  const count = params.evalTasks ?? Math.max(1, parentTasks.length);
  if (count === 0 || !config) return null;
  const suite = openSuite(config.suite, { workspace: params.workspace, signal: opts.signal });
  try {
    const all = await suite.list();
    // The parent's tasks first, so the two versions compare on the same tasks.
    const order = [...parentTasks, ...config.taskIds.filter((id) => !parentTasks.includes(id))];
    const tasks = order.flatMap((id) => all.filter((t) => t.id === id));
    const info = models.info!;
    opts.onProgress?.({ title: "Evaluating the adapter version", message: `${nodeId} on ${Math.min(count, tasks.length)} task(s)` });
    await evaluateNode({
      archive, provider: models, tasks, buildCacheDir: path.join(os.tmpdir(), "clade-agent-builds"), signal: opts.signal ?? new AbortController().signal,
      options: { workspace: params.workspace, limits: { contextTokens: Math.floor(info.contextSize / info.sequences), ...params.limits }, isolation: params.isolation, useAdapter: adapterSwitcher(models, params.workspace) },
    }, nodeId, count);
    const runs = archive.results(nodeId);
    const evaluated = new Set(runs.map((r) => r.taskId));
    const parentRuns = archive.results(parentId).filter((r) => evaluated.has(r.taskId));
    return {
      tasks: [...evaluated], passed: runs.filter((r) => r.passed).length, evaluated: runs.length,
      parentPassed: parentRuns.filter((r) => r.passed).length, parentEvaluated: parentRuns.length,
    };
  } finally {
    suite.dispose();
  }
}
