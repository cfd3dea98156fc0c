// An adapter as an archive version: the passed runs of a node's clade (the node and its
// descendants) or of the whole archive become a dataset (buildDataset), Clade's trainer trains a
// LoRA adapter on it, the adapter is stored by content hash in .clade/adapters/, and a child of the
// node is added with the same scaffold and the new adapter (origin kind "adapter", the dataset hash
// and the training figures in origin.diagnosis). Evaluating the child is the caller's part.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { ProgressValue } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { GpuChoice, TrainerBackendInfo } from "../../protocol/model";
import type { Archive } from "../archive/archive";
import { versionNode } from "../../protocol/ask";
import { askSummaries } from "../ask/askLog";
import type { ArchiveNode } from "../archive/types";
import { storeAdapter } from "./adapterStore";
import { buildDataset } from "./buildDataset";
import { buildRecipeDataset } from "./recipes/recipeDataset";
import type { Recipe } from "./recipes/recipes";
import type { DatasetManifest } from "./datasetManifest";
import { resolveTrainerBackend } from "./trainerBackend";
import { trainLora, type TrainLoraOptions, type TrainLoraResult } from "./trainerProcess";

export type TrainHyperparameters = Pick<TrainLoraOptions, "rank" | "alpha" | "epochs" | "learningRate" | "schedule" | "warmupSteps" | "maxSteps" | "targetModules" | "seed" | "threads" | "binaryPath">;

export interface TrainAdapterNodeOptions extends TrainHyperparameters {
  archive: Archive;
  workspace: string;
  /** The base model GGUF the versions run on, and its sha256. */
  modelFile: string;
  modelSha256: string;
  /** Parent of the adapter version; default: the active version, else the version with the most passes. */
  from?: string;
  /** Train on the passed runs of every version (default: of `from` and its descendants). */
  allRuns?: boolean;
  /** Trainer window; longer examples lose early turns, then are dropped. Default: fitted to the longest example, at most the model's context (buildDataset). */
  contextSize?: number;
  heldOutFraction?: number;
  /** Which examples (recipes.ts); default sft (passed runs). rise trains runs' second attempts (versions with extraAttempts ≥ 1). */
  recipe?: Recipe;
  /** dpo: the implicit reward's temperature (default 0.1). */
  beta?: number;
  /** The model host's GPU choice and GPU-layers setting; the trainer backend follows them (trainerBackend.ts). Default auto. */
  gpu?: GpuChoice;
  gpuLayers?: number | "auto";
  /** The trainer backend, already chosen (trainService: reported before training); else chosen here from gpu/gpuLayers. */
  trainer?: TrainerBackendInfo;
  signal?: AbortSignal;
  onProgress?: (progress: ProgressValue) => void;
}

/** What origin.diagnosis of an adapter version holds. */
export interface AdapterTraining {
  /** The recipe that built the data (recipes.ts), with what it built and dropped. */
  recipe: Recipe;
  recipeCounts?: Record<string, number>;
  objective: "sft" | "dpo";
  beta?: number;
  datasetHash: string;
  trainExamples: number;
  heldOutExamples: number;
  trainTokens: number;
  maskedTokens: number;
  sourceRuns: number;
  scope: "clade" | "all";
  rank: number;
  epochs: number;
  learningRate: number;
  contextSize: number;
  steps: number;
  finalLoss: number;
  tokensPerSecond: number;
  trainMs: number;
  peakRssBytes: number | null;
  /** The ggml device that trained ("CPU", "CUDA0", "Vulkan0", "MTL0"), else the chosen backend. */
  backend?: string;
  /** The --gpu-layers the trainer got (0: CPU, -1: all). */
  gpuLayers?: number;
  /** What the trainer warned about (absent when nothing). */
  warnings?: string[];
}

export interface TrainAdapterNodeResult {
  node: ArchiveNode;
  parentId: string;
  adapterHash: string;
  adapterFile: string;
  training: AdapterTraining;
}

export async function trainAdapterNode(options: TrainAdapterNodeOptions): Promise<TrainAdapterNodeResult> {
  const { archive } = options;
  const parent = pickParent(archive, options.from);
  checkModel(parent, options.modelSha256);
  // Before any dataset is built: an explicit GPU whose trainer is missing fails here, with the fix.
  const trainer = options.trainer ?? (await resolveTrainerBackend({ gpu: options.gpu, gpuLayers: options.gpuLayers }));
  if (options.recipe && options.recipe !== "sft") return trainRecipeNode(options, parent, trainer);
  const trajectories = await passedTrajectories(archive, options.allRuns ? null : parent.id);
  if (trajectories.length === 0) {
    throw new CladeError("invalid-argument", `No passed runs to train on in ${options.allRuns ? "the archive" : `the clade of ${parent.id}`}.`,
      options.allRuns ? "Evaluate versions until some runs pass (`clade evolve`)." : "Pass --all to train on every version's passed runs, or evaluate more.");
  }
  const started = Date.now();
  const work = path.join(path.resolve(options.workspace), ".clade", "training", `${Date.now().toString(36)}-${process.pid}`);
  try {
    const dataset = await buildDataset(
      { trajectories, modelPath: options.modelFile, modelSha256: options.modelSha256, outDir: work, maxTokens: options.contextSize, heldOutFraction: options.heldOutFraction ?? 0.1, seed: options.seed ?? 0 },
      { signal: options.signal, onProgress: options.onProgress },
    );
    const contextSize = options.contextSize ?? fittedWindow(dataset.manifest);
    const hyper = { rank: options.rank ?? 8, epochs: options.epochs ?? 2, learningRate: options.learningRate ?? 1e-3 };
    options.onProgress?.({ title: "Training a LoRA adapter", message: `on ${trainer.backend} (${trainer.reason})` });
    const trained = await trainLora({
      model: options.modelFile, dataset: dataset.train, evalDataset: dataset.manifest.heldOut.examples > 0 ? dataset.heldOut : undefined,
      output: path.join(work, "adapter.gguf"), contextSize, ...hyper, alpha: options.alpha, schedule: options.schedule ?? "cosine",
      warmupSteps: options.warmupSteps, maxSteps: options.maxSteps, targetModules: options.targetModules, seed: options.seed, threads: options.threads, binaryPath: options.binaryPath,
      variant: trainer.variant, gpuLayers: trainer.gpuLayers,
    }, {
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ title: "Training a LoRA adapter", message: `step ${p.step}/${p.steps}, loss ${p.loss.toFixed(3)}, ${Math.round(p.tokensPerSecond)} tok/s`, done: p.step, total: p.steps, percentage: (100 * p.step) / p.steps, unit: "steps" }),
      onEvent: (e) => e.type === "warning" && options.onProgress?.({ title: "Training a LoRA adapter", message: `warning: ${e.message}` }),
    });
    const stored = await storeAdapter(options.workspace, trained.adapter);
    const m = dataset.manifest;
    const training: AdapterTraining = {
      recipe: "sft", objective: "sft", datasetHash: m.datasetHash, trainExamples: m.train.examples, heldOutExamples: m.heldOut.examples, trainTokens: m.train.tokens, maskedTokens: m.train.maskedTokens,
      sourceRuns: trajectories.length, scope: options.allRuns ? "all" : "clade", ...hyper, contextSize,
      steps: trained.steps, finalLoss: trained.finalLoss, tokensPerSecond: trained.tokensPerSecond, trainMs: trained.elapsedMs, peakRssBytes: trained.peakRssBytes ?? null,
      ...backendRecord(trained, trainer),
    };
    return await addAdapterNode(archive, parent, stored, training, started);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function addAdapterNode(archive: Archive, parent: ArchiveNode, stored: { adapterHash: string; file: string }, training: AdapterTraining, started: number): Promise<TrainAdapterNodeResult> {
  const node = await archive.addNode(parent.id, null, {
    origin: { kind: "adapter", targetTask: null, diagnosis: training, problemStatement: null },
    identity: { adapterHash: stored.adapterHash, modelHash: parent.identity.modelHash, taskSetHash: parent.identity.taskSetHash, seed: parent.identity.seed },
    cost: { tokens: { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 }, wallMs: Date.now() - started },
  });
  return { node, parentId: parent.id, adapterHash: stored.adapterHash, adapterFile: stored.file, training };
}

/** An adapter version trained with another recipe than sft: on every finished run of the scope, passed and failed. */
async function trainRecipeNode(options: TrainAdapterNodeOptions, parent: ArchiveNode, trainer: TrainerBackendInfo): Promise<TrainAdapterNodeResult> {
  const recipe = options.recipe!;
  const { archive } = options;
  const trajectories = scopeTrajectories(archive, options.allRuns ? null : parent.id);
  if (trajectories.length === 0) throw new CladeError("invalid-argument", `No finished runs in ${options.allRuns ? "the archive" : `the clade of ${parent.id}`}.`, "Evaluate versions first (`clade evolve`).");
  const started = Date.now();
  const work = path.join(path.resolve(options.workspace), ".clade", "training", `${Date.now().toString(36)}-${process.pid}`);
  try {
    options.onProgress?.({ title: "Building training data", message: `recipe ${recipe} from ${trajectories.length} runs` });
    const dataset = await buildRecipeDataset({ recipe, trajectories, modelPath: options.modelFile, modelSha256: options.modelSha256, outDir: work, maxTokens: options.contextSize, signal: options.signal });
    const m = dataset.manifest;
    const contextSize = options.contextSize ?? Math.min(m.maxTokens, Math.ceil((Math.max(2, m.train.longest) - 1) / 256) * 256);
    const hyper = { rank: options.rank ?? 8, epochs: options.epochs ?? 2, learningRate: options.learningRate ?? 1e-3 };
    const objective = recipe === "dpo" ? "dpo" : "sft";
    options.onProgress?.({ title: `Training a LoRA adapter (${recipe})`, message: `on ${trainer.backend} (${trainer.reason})` });
    const trained = await trainLora({
      model: options.modelFile, dataset: dataset.train, output: path.join(work, "adapter.gguf"), contextSize, ...hyper, alpha: options.alpha, schedule: options.schedule ?? "cosine",
      warmupSteps: options.warmupSteps, maxSteps: options.maxSteps, targetModules: options.targetModules, seed: options.seed, threads: options.threads, binaryPath: options.binaryPath,
      variant: trainer.variant, gpuLayers: trainer.gpuLayers,
      objective, ...(objective === "dpo" ? { beta: options.beta ?? 0.1 } : {}),
    }, {
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ title: `Training a LoRA adapter (${recipe})`, message: `step ${p.step}/${p.steps}, loss ${p.loss.toFixed(3)}`, done: p.step, total: p.steps, percentage: (100 * p.step) / p.steps, unit: "steps" }),
      onEvent: (e) => e.type === "warning" && options.onProgress?.({ title: `Training a LoRA adapter (${recipe})`, message: `warning: ${e.message}` }),
    });
    const stored = await storeAdapter(options.workspace, trained.adapter);
    const training: AdapterTraining = {
      recipe, recipeCounts: m.counts, objective, ...(objective === "dpo" ? { beta: options.beta ?? 0.1 } : {}),
      datasetHash: m.datasetHash, trainExamples: m.train.lines, heldOutExamples: 0, trainTokens: m.train.tokens, maskedTokens: m.train.maskedTokens,
      sourceRuns: trajectories.length, scope: options.allRuns ? "all" : "clade", ...hyper, contextSize,
      steps: trained.steps, finalLoss: trained.finalLoss, tokensPerSecond: trained.tokensPerSecond, trainMs: trained.elapsedMs, peakRssBytes: trained.peakRssBytes ?? null,
      ...backendRecord(trained, trainer),
    };
    return await addAdapterNode(archive, parent, stored, training, started);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * What the training record says about the backend (the device the trainer reported, else the one
 * chosen) and the trainer's warnings, such as a GPU chosen but not found by the trainer.
 */
function backendRecord(trained: TrainLoraResult, trainer: TrainerBackendInfo): Pick<AdapterTraining, "backend" | "gpuLayers" | "warnings"> {
  return { backend: trained.backend ?? trainer.backend, gpuLayers: trainer.gpuLayers, ...(trained.warnings?.length ? { warnings: trained.warnings } : {}) };
}

/** Trajectory files of every finished run (passed or failed) of `root` and its descendants (every node when null). */
export function scopeTrajectories(archive: Archive, root: string | null): string[] {
  const ids = root === null ? archive.nodes().map((n) => n.id) : cladeOf(archive, root);
  return ids.flatMap((id) => [...archive.results(id), ...archive.otherRuns(id)].map((r) => r.trajectory)).filter((file) => existsSync(file));
}

/** The requested node, else the active one, else the one with the most passed runs (ties: the earliest). */
export function pickParent(archive: Archive, from: string | undefined): ArchiveNode {
  if (from) return archive.requireNode(from);
  const active = archive.activeNode();
  if (active) return active;
  let best: ArchiveNode | null = null;
  let bestPassed = -1;
  for (const node of archive.nodes()) {
    if (node.status === "invalid") continue;
    const passed = archive.results(node.id).filter((r) => r.passed).length;
    if (passed > bestPassed) [best, bestPassed] = [node, passed];
  }
  if (!best) throw new CladeError("archive-missing", "The archive has no version to train from.", "Run `clade evolve` in this workspace first.");
  return best;
}

/**
 * Trajectory files of the passed runs of `root` and its descendants (every node when null): their
 * evaluations, their runs outside sessions, and the user's asks they did that were applied with the
 * test command passing (an ask of "seed" belongs to the root).
 */
export async function passedTrajectories(archive: Archive, root: string | null): Promise<string[]> {
  const ids = root === null ? archive.nodes().map((n) => n.id) : cladeOf(archive, root);
  const inClade = new Set(ids);
  const rootId = archive.root()?.id;
  const asks = await askSummaries(archive.paths.workspace).catch(() => []);
  const applied = asks.filter((a) => a.resolution === "applied" && a.testsAfter === true && inClade.has(versionNode(a.versionId, rootId)) && existsSync(a.trajectory));
  return [
    ...ids.flatMap((id) => [...archive.results(id).filter((r) => r.passed).map((r) => r.trajectory), ...archive.otherRuns(id).filter((r) => r.passed).map((r) => r.trajectory)]),
    ...applied.map((a) => a.trajectory),
  ];
}

function cladeOf(archive: Archive, root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    stack.push(...archive.children(id).map((c) => c.id));
  }
  return out;
}

/** An adapter is trained for one base model: refuse a model other than the one the versions were evaluated with. */
function checkModel(parent: ArchiveNode, modelSha256: string): void {
  const hash = parent.identity.modelHash;
  if (/^[0-9a-f]{64}$/.test(hash) && hash !== modelSha256) {
    throw new CladeError("invalid-argument", `Version ${parent.id} was evaluated with model ${hash.slice(0, 12)}, not the given model (${modelSha256.slice(0, 12)}).`,
      "Train with the model the archive's versions ran on (the same GGUF file).");
  }
}

/** The smallest window (a multiple of 256, as llama.cpp pads contexts) that holds every kept example, within the dataset's limit. */
export function fittedWindow(manifest: DatasetManifest): number {
  const longest = Math.max(2, ...manifest.sources.filter((s) => s.status === "train" || s.status === "held-out").map((s) => s.tokens ?? 0));
  return Math.min(manifest.options.maxTokens, Math.ceil((longest - 1) / 256) * 256);
}
