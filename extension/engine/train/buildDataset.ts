// Agent trajectories -> a LoRA training dataset (filtered SFT, RISE/STaR-style): only runs whose
// hidden tests passed; per run one example, its last model call's conversation plus the final
// reply, rendered with the target model's own chat wrapper exactly as the model host renders it
// for inference, masked to the model's own tokens. Identical examples are kept once, examples
// longer than the trainer's window lose whole early turns (as the agent's context budget drops them
// at inference) or, if still too long, are dropped; runs are split train / held-out by a seeded hash,
// and a manifest records sources, counts, hashes, the model and the chat wrapper.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ProgressValue } from "../../protocol/engine";
import { CladeError, cancelledError } from "../../protocol/errors";
import type { ChatMessage } from "../../protocol/model";
import { countSources, type DatasetManifest, type DatasetPart, type DatasetSource } from "./datasetManifest";
import { openDatasetModel, type DatasetModel } from "./datasetModel";
import { finalConversation } from "./finalConversation";
import { buildMaskedExample, type MaskedExample } from "./maskedExample";
import { readTrajectory } from "./readTrajectory";
import { dedupe, exampleHash, exampleLine, splitByRun } from "./splitDataset";

export interface BuildDatasetOptions {
  /** Trajectory JSONL files written by agent runs (agent/trajectory.ts). */
  trajectories: string[];
  /** The GGUF model the adapter is trained for (its tokenizer and chat template are used). */
  modelPath: string;
  /** Gets train.jsonl, heldout.jsonl and manifest.json. */
  outDir: string;
  /** Share of runs held out for evaluation, in [0, 1). Default 0.1. */
  heldOutFraction?: number;
  /** Seed of the train / held-out split. Default 0. */
  seed?: number;
  /**
   * The trainer's window (its contextSize): an example is kept when it fits one window, i.e. has at
   * most maxTokens + 1 tokens (a window predicts maxTokens tokens); longer ones lose early turns
   * first. Default: the model's trained context, at most defaultMaxTrainWindow (a real agent run with
   * its system prompt and tools is 1,000+ tokens, so the old 512 dropped every one).
   */
  maxTokens?: number;
  /**
   * Which finished runs become examples: "passed" (default: filtered SFT) or "finished" (every
   * finished run, its model calls imitated as they are — for the agent TEST model, whose reference
   * runs include chosen failures, diagnoses and self-edits).
   */
  imitate?: "passed" | "finished";
  /** The model file's sha256 when already known (e.g. from ModelInfo); computed otherwise. */
  modelSha256?: string;
}

export interface BuildDatasetControl {
  signal?: AbortSignal;
  onProgress?: (progress: ProgressValue) => void;
}

export interface BuildDatasetResult {
  train: string;
  heldOut: string;
  manifestFile: string;
  manifest: DatasetManifest;
}

interface Candidate {
  key: string;
  hash: string;
  example: MaskedExample;
  source: DatasetSource;
}

type Settings = Omit<DatasetManifest["options"], "overLength" | "maxTokens"> & { maxTokens?: number };

/** The default training window's upper bound (tokens): trainer memory grows with it. */
export const defaultMaxTrainWindow = 4096;

export async function buildDataset(options: BuildDatasetOptions, control: BuildDatasetControl = {}): Promise<BuildDatasetResult> {
  const settings = checkOptions(options);
  const model = await openDatasetModel(path.resolve(options.modelPath), control.signal);
  try {
    const maxTokens = settings.maxTokens ?? Math.min(trainedContext(model) || defaultMaxTrainWindow, defaultMaxTrainWindow);
    const { sources, candidates } = await collect(options.trajectories, model, maxTokens, options.imitate ?? "passed", control);
    const { kept, duplicates } = dedupe(candidates);
    for (const { item, of } of duplicates) Object.assign(item.source, { status: "duplicate", duplicateOf: of.source.file });
    const { train, heldOut } = splitByRun(kept, settings.heldOutFraction, settings.seed);
    for (const item of heldOut) item.source.status = "held-out";
    if (train.length === 0) throw noExamples(sources);
    const outDir = path.resolve(options.outDir);
    await mkdir(outDir, { recursive: true });
    const trainPart = await writePart(path.join(outDir, "train.jsonl"), train);
    const heldOutPart = await writePart(path.join(outDir, "heldout.jsonl"), heldOut);
    const modelFile = path.resolve(options.modelPath);
    const manifest: DatasetManifest = {
      version: 1,
      format: "clade-lora-jsonl",
      datasetHash: trainPart.sha256,
      model: { file: modelFile, sha256: options.modelSha256 ?? (await sha256File(modelFile)), chatWrapper: model.wrapper.wrapperName, functionCalling: model.functionCalling, vocabularySize: vocabularySize(model) },
      options: { ...settings, maxTokens, overLength: "cut-early-turns", ...(options.imitate === "finished" ? { imitate: "finished" as const } : {}) },
      cut: { examples: sources.filter((s) => (s.cutTurns ?? 0) > 0).length, turns: sources.reduce((n, s) => n + (s.cutTurns ?? 0), 0) },
      train: trainPart,
      heldOut: heldOutPart,
      counts: countSources(sources),
      sources,
    };
    const manifestFile = path.join(outDir, "manifest.json");
    await writeAtomically(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    return { train: trainPart.file, heldOut: heldOutPart.file, manifestFile, manifest };
  } finally {
    await model.dispose();
  }
}

async function collect(files: readonly string[], model: DatasetModel, maxTokens: number, imitate: "passed" | "finished", control: BuildDatasetControl): Promise<{ sources: DatasetSource[]; candidates: Candidate[] }> {
  const sources: DatasetSource[] = [];
  const candidates: Candidate[] = [];
  const report = (done: number, message?: string) =>
    control.onProgress?.({ title: "Building training data", message, percentage: (100 * done) / files.length, done, total: files.length, unit: "trajectories" });
  for (const [i, file] of files.entries()) {
    if (control.signal?.aborted) throw cancelledError("Building the training dataset");
    report(i, path.basename(file));
    const candidate = await readCandidate(path.resolve(file), model, maxTokens, imitate);
    sources.push(candidate.source);
    if (candidate.source.status === "train") candidates.push(candidate);
  }
  report(files.length);
  return { sources, candidates };
}

function checkOptions(options: BuildDatasetOptions): Settings {
  const heldOutFraction = options.heldOutFraction ?? 0.1;
  const seed = options.seed ?? 0;
  const maxTokens = options.maxTokens;
  if (!Array.isArray(options.trajectories) || options.trajectories.length === 0) {
    throw new CladeError("invalid-argument", "No trajectories were given to build a training dataset from.", "Pass the trajectory files of agent runs (runs/<version>/<task>-<run>.jsonl).");
  }
  if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
    throw new CladeError("invalid-argument", `heldOutFraction must be in [0, 1), got ${heldOutFraction}.`, "Use e.g. 0.1 to hold out a tenth of the runs, or 0 for none.");
  }
  if (!Number.isSafeInteger(seed)) throw new CladeError("invalid-argument", `seed must be an integer, got ${seed}.`, "Pass an integer seed.");
  if (maxTokens !== undefined && (!Number.isSafeInteger(maxTokens) || maxTokens < 2)) {
    throw new CladeError("invalid-argument", `maxTokens must be an integer of at least 2, got ${maxTokens}.`, "Pass the trainer's context size (e.g. 512).");
  }
  return { heldOutFraction, seed, maxTokens };
}

/** The model's trained context length from its GGUF metadata (a vocabulary-only load reports no trainContextSize). */
export function trainedContext(model: DatasetModel): number {
  const arch = model.model.fileInfo.architectureMetadata as { context_length?: number };
  return Number(arch.context_length ?? 0) || model.model.trainContextSize || 0;
}

export function vocabularySize(model: DatasetModel): number {
  const metadata = model.model.fileInfo.metadata as unknown as { tokenizer?: { ggml?: { tokens?: unknown[] } } };
  const arch = model.model.fileInfo.architectureMetadata as { vocab_size?: number };
  return metadata.tokenizer?.ggml?.tokens?.length ?? Number(arch.vocab_size ?? 0);
}

/** One trajectory -> its source record and, for a usable passing run, its example (status "train" until split). */
async function readCandidate(file: string, model: DatasetModel, maxTokens: number, imitate: "passed" | "finished" = "passed"): Promise<Candidate> {
  const source: DatasetSource = { file, status: "unreadable" };
  const candidate: Candidate = { key: file, hash: "", example: { tokens: [], mask: [] }, source };
  try {
    const run = await readTrajectory(file);
    Object.assign(source, { runId: run.runId, taskId: run.taskId, versionId: run.versionId });
    candidate.key = `${run.versionId}\0${run.taskId}\0${run.runId}`;
    if (!run.ended) return withStatus(candidate, "unfinished");
    if (!run.passed && imitate === "passed") return withStatus(candidate, "failed");
    let conversation = finalConversation(run);
    if (!conversation) return withStatus(candidate, "no-model-call");
    candidate.example = buildMaskedExample(model, model.model.tokenizer, conversation);
    // Too long: cut whole early turns (an assistant message and the tool results after it) right
    // after the task, oldest first, keeping the system prompt, the task and the final turns.
    for (let cut = 1; candidate.example.tokens.length > maxTokens + 1; cut++) {
      const shorter = cutEarliestTurn(conversation.messages);
      if (!shorter) break;
      conversation = { ...conversation, messages: shorter };
      candidate.example = buildMaskedExample(model, model.model.tokenizer, conversation);
      source.cutTurns = cut;
    }
  } catch (error) {
    if (!CladeError.is(error)) throw error;
    source.reason = error.message;
    return withStatus(candidate, error.reason === "training-failed" ? "unrenderable" : "unreadable");
  }
  const { tokens, mask } = candidate.example;
  candidate.hash = exampleHash(candidate.example);
  Object.assign(source, { tokens: tokens.length, maskedTokens: mask.reduce<number>((sum, m) => sum + m, 0), exampleSha256: candidate.hash });
  if (tokens.length > maxTokens + 1) return withStatus(candidate, "too-long");
  return withStatus(candidate, "train");
}

/** The messages without their first assistant turn after the task (and its tool results); undefined if only the final reply is left. */
export function cutEarliestTurn(messages: readonly ChatMessage[]): ChatMessage[] | undefined {
  const first = messages.findIndex((m, i) => i > 0 && m.role === "assistant");
  const lastAssistant = messages.findLastIndex((m) => m.role === "assistant");
  if (first < 0 || first >= lastAssistant) return undefined;
  let end = first + 1;
  while (end < messages.length && messages[end].role === "tool") end++;
  return [...messages.slice(0, first), ...messages.slice(end)];
}

function withStatus(candidate: Candidate, status: DatasetSource["status"]): Candidate {
  candidate.source.status = status;
  return candidate;
}

async function writePart(file: string, items: readonly Candidate[]): Promise<DatasetPart> {
  const text = items.map((item) => `${exampleLine(item.example)}\n`).join("");
  await writeAtomically(file, text);
  return {
    file,
    sha256: createHash("sha256").update(text).digest("hex"),
    examples: items.length,
    tokens: items.reduce((sum, item) => sum + item.example.tokens.length, 0),
    maskedTokens: items.reduce((sum, item) => sum + (item.source.maskedTokens ?? 0), 0),
  };
}

export async function writeAtomically(file: string, text: string): Promise<void> {
  const staging = `${file}.${process.pid}.tmp`;
  await writeFile(staging, text);
  await rename(staging, file);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function noExamples(sources: readonly DatasetSource[]): CladeError {
  const counts = countSources(sources);
  const left = Object.entries(counts).filter(([key, n]) => n > 0 && key !== "trajectories" && key !== "passed").map(([key, n]) => `${n} ${key}`).join(", ");
  return new CladeError(
    "invalid-argument",
    `No training examples: of ${counts.trajectories} trajectories ${counts.passed} passed their hidden tests (${left}).`,
    counts.passed === 0 ? "Run the agent on more tasks (or easier ones) until some runs pass; only passing runs are trained on." : "See the manifest reasons: raise maxTokens to the trainer's context size, or add more passing runs.",
    { counts },
  );
}
