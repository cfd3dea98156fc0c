// The agent-capable TEST model: a small generated model trained, with Clade's own LoRA trainer, on
// reference trajectories of the built-in T0 tasks and of one self-improvement (selfEditDemo.ts:
// a failed run, its diagnosis, a self-edit, the child's passing run), until through the real engine (real llama.cpp,
// the real Qwen chat template and its native tool-call syntax, the real grammar and sandbox) it
// solves them. It has SEEN those tasks: it proves the machinery (prompt rendering, tool grammar,
// budgets, training renderer, runner), not that a model got smarter. Nothing general can be read
// from its scores.
//
// Build: reference runs (referencePolicy.ts, through the real runner with a scripted provider) ->
// a vocabulary learned from their text (compact tokens for this prompt and these files) -> the
// base model -> the dataset (buildDataset: the inference renderer, loss on the agent's tokens) ->
// LoRA at high rank -> the adapter merged into the base weights -> one GGUF. Deterministic from the
// seed; cached outside the clone by the hash of everything it depends on.
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getModuleVersion } from "node-llama-cpp";
import type { AgentLimits } from "../../../protocol/agent";
import { CladeError, cancelledError } from "../../../protocol/errors";
import type { ProgressValue } from "../../../protocol/engine";
import { buildAgent } from "../../agent/buildAgent";
import { runTask } from "../../agent/runTask";
import type { RunResult } from "../../../protocol/run";
import { TrajectoryWriter } from "../../agent/trajectory";
import { diagnose } from "../../evolve/diagnose";
import { implement } from "../../evolve/implement";
import { ScriptedProvider, type ScriptedReply } from "../../agent/scriptedProvider";
import { generateTestModel } from "../../model/testModel/generateTestModel";
import { seedAgentDir } from "../../resources";
import { openBuiltinSuite } from "../../tasks/builtinSuite";
import type { Task } from "../../tasks/types";
import { buildDataset } from "../buildDataset";
import { readTrajectory } from "../readTrajectory";
import { findTrainerBinary, trainLora } from "../trainerProcess";
import { loraRowDelta } from "./mergeLora";
import { referenceEdits, referenceScript } from "./referencePolicy";
import { demoDiagnosis, selfEditScript, WEAKNESS_TASK, weaknessUnderChild, weaknessUnderSeed } from "./selfEditDemo";

/** Bump when anything below changes what the model becomes. */
export const AGENT_MODEL_VERSION = 3;

/**
 * A task whose reference run writes one whole file in a reply of 600+ tokens: the model's one long
 * reply, so that a reply budget cut back to 512 tokens (an old defect) fails its run. Its example is
 * trained LONG_REPLY_COPIES times per epoch: the 4-layer model does not learn 600 tokens by heart
 * from one copy.
 */
export const LONG_REPLY_TASK = "t1-text-helpers";
const LONG_REPLY_COPIES = 4;

/**
 * The shape: small enough to train on 2 CPU cores in minutes, big enough to hold the trajectories.
 * A vocabulary learned from the trajectories' own text (4,096 tokens) cuts a run's ~4,000
 * characters of system prompt, tool documentation, files and calls to ~1,400 tokens, which is what
 * training time scales with; width and depth beyond this only slowed training (see README).
 */
// Context 2,560: the longest T0 run (~1,330 tokens) plus the seed's reply room (3/8 of the context),
// and a diagnosis prompt sized from it of ~1,650 tokens, so the training window stays at 1,792
// (at 4,096 the diagnosis grew to ~2,450 tokens and every window to 2,560: 2.7x the step time).
export const AGENT_MODEL_SHAPE = { layers: 4, embd: 128, heads: 4, kvHeads: 2, ff: 384, vocab: 4096, contextLength: 2560, type: "f32" as const };
// microBatch 256: a small model, so memory is no concern, and its long windows would otherwise get the
// trainer's memory-saving default of 32 (more micro-batches, a slower build).
export const AGENT_MODEL_TRAINING = { rank: 64, alpha: 64, learningRate: 5e-3, epochs: 40, schedule: "cosine" as const, seed: 1, microBatch: 256 };
/** Agent runs of this model get its whole trained context; the reference runs must budget the same way. */
export const AGENT_MODEL_LIMITS: Partial<AgentLimits> = { contextTokens: AGENT_MODEL_SHAPE.contextLength, maxTurns: 8 };

export interface AgentModelOptions {
  out: string;
  /** Default $CLADE_CACHE_DIR or ~/.cache/clade (the model goes to <cache>/agent-model/<key>/). */
  cacheDir?: string;
  threads?: number;
  /** Rebuild even when the cache has it. */
  rebuild?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ProgressValue) => void;
}

export interface AgentModelResult {
  file: string;
  sha256: string;
  /** The cache key: sha256 of trajectories, shape, training settings, trainer and llama.cpp versions. */
  key: string;
  cached: boolean;
  /** How the model was made (also in the cache folder as build.json). */
  build: AgentModelBuild;
}

export interface AgentModelBuild {
  key: string;
  version: number;
  shape: typeof AGENT_MODEL_SHAPE;
  training: typeof AGENT_MODEL_TRAINING & { contextSize: number; threads: number };
  tasks: string[];
  dataset: { examples: number; tokens: number; maskedTokens: number; longReplyExample?: { tokens: number; maskedTokens: number; copies: number } };
  trainer: { steps: number; finalLoss: number; tokensPerSecond: number; trainMs: number; losses: { step: number; loss: number }[] };
  totalMs: number;
  sha256: string;
}

export async function buildAgentModel(options: AgentModelOptions): Promise<AgentModelResult> {
  const started = Date.now();
  const report = (message: string, percentage?: number) => options.onProgress?.({ title: "Agent test model", message, percentage });
  const threads = options.threads ?? Math.max(1, Math.min(os.cpus().length, 4));
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "clade-agent-model-"));
  try {
    const trainer = findTrainerBinary();
    if (!trainer) throw new CladeError("no-binary", "Clade's LoRA trainer is not built, and the agent test model is trained with it.", "Run `npm run build:trainer` (needs cmake and a C++ compiler: apt-get install cmake g++).");
    report("reference runs of the T0 tasks", 0);
    const runs = await referenceRuns(path.join(scratch, "runs"), options.signal);

    report("vocabulary, base model and training data", 5);
    const corpus = await trajectoryCorpus(runs);
    const base = path.join(scratch, "base.gguf");
    const generate = (out: string, rowDelta?: Awaited<ReturnType<typeof loraRowDelta>>) =>
      generateTestModel({ out, seed: AGENT_MODEL_TRAINING.seed, preset: "qwen2.5", ...AGENT_MODEL_SHAPE, vocabularyCorpus: corpus }, undefined, options.signal, rowDelta);
    const baseModel = await generate(base);
    const dataset = await buildDataset({ trajectories: runs, imitate: "finished", modelPath: base, modelSha256: baseModel.sha256, outDir: path.join(scratch, "data"), heldOutFraction: 0, seed: 0, maxTokens: AGENT_MODEL_SHAPE.contextLength });
    if (dataset.manifest.train.examples !== runs.length) {
      throw new CladeError("training-failed", `Only ${dataset.manifest.train.examples} of ${runs.length} reference runs became training examples.`, "See the dataset manifest's source statuses; this is a bug in the agent model's build.", { sources: dataset.manifest.sources });
    }
    const trainFile = await weightLongReply(dataset);
    // The key covers what the model is trained on as the trainer sees it (the rendered, masked tokens:
    // a change of the chat rendering or of the runs rebuilds it), how, and with which binaries.
    const key = sha256(JSON.stringify([AGENT_MODEL_VERSION, AGENT_MODEL_SHAPE, AGENT_MODEL_TRAINING, baseModel.sha256, dataset.manifest.datasetHash, LONG_REPLY_COPIES, await trainerVersion(trainer), await getModuleVersion()]));
    const cacheDir = path.join(options.cacheDir ?? process.env.CLADE_CACHE_DIR ?? path.join(os.homedir(), ".cache", "clade"), "agent-model", key.slice(0, 16));
    const cachedFile = path.join(cacheDir, "agent.gguf");
    if (!options.rebuild && existsSync(cachedFile) && existsSync(path.join(cacheDir, "build.json"))) {
      const build = JSON.parse(await fs.readFile(path.join(cacheDir, "build.json"), "utf8")) as AgentModelBuild;
      if ((await fileSha256(cachedFile)) === build.sha256) {
        await copyOut(cachedFile, options.out);
        return { file: path.resolve(options.out), sha256: build.sha256, key, cached: true, build };
      }
    }

    report("training", 10);
    const longest = Math.max(...dataset.manifest.sources.map((s) => s.tokens ?? 0));
    const contextSize = Math.ceil(longest / 256) * 256;
    const losses: { step: number; loss: number }[] = [];
    const trained = await trainLora(
      { model: base, dataset: trainFile, output: path.join(scratch, "adapter.gguf"), contextSize, threads, ...AGENT_MODEL_TRAINING },
      {
        signal: options.signal,
        onProgress: (p) => {
          losses.push({ step: p.step, loss: Math.round(p.loss * 1e4) / 1e4 });
          report(`training: step ${p.step}/${p.steps}, loss ${p.loss.toFixed(3)}, ${Math.round(p.tokensPerSecond)} tokens/s`, 10 + (85 * p.step) / p.steps);
        },
      },
    );
    if (options.signal?.aborted) throw cancelledError("Building the agent test model");

    report("merging the adapter into the weights", 96);
    const merged = path.join(scratch, "agent.gguf");
    const result = await generate(merged, await loraRowDelta(trained.adapter));
    const build: AgentModelBuild = {
      key, version: AGENT_MODEL_VERSION, shape: AGENT_MODEL_SHAPE, training: { ...AGENT_MODEL_TRAINING, contextSize, threads },
      tasks: runs.map((file) => path.relative(path.join(scratch, "runs"), file).replace(/-?reference\.jsonl$/, "").replace(/\/$/, "")),
      dataset: { examples: dataset.manifest.train.examples, tokens: dataset.manifest.train.tokens, maskedTokens: dataset.manifest.train.maskedTokens, longReplyExample: longReplyExample(dataset) },
      trainer: { steps: trained.steps, finalLoss: trained.finalLoss, tokensPerSecond: trained.tokensPerSecond, trainMs: trained.elapsedMs, losses: thin(losses, 40) },
      totalMs: Date.now() - started, sha256: result.sha256,
    };
    await fs.mkdir(cacheDir, { recursive: true });
    await fs.copyFile(merged, `${cachedFile}.tmp`);
    await fs.writeFile(path.join(cacheDir, "build.json"), `${JSON.stringify(build, null, 2)}\n`);
    await fs.rename(`${cachedFile}.tmp`, cachedFile);
    await copyOut(merged, options.out);
    report("done", 100);
    return { file: path.resolve(options.out), sha256: result.sha256, key, cached: false, build };
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** The T0 tasks the model is trained on (and tested with). */
export async function agentModelTasks(): Promise<Task[]> {
  const suite = openBuiltinSuite();
  try {
    const tasks: Task[] = [];
    for (const summary of await suite.list()) if (summary.tier === "T0") tasks.push((await suite.get(summary.id))!);
    return tasks;
  } finally {
    suite.dispose();
  }
}

/**
 * The reference trajectories: the seed on every T0 task (scripted oracle replies, real runner,
 * hidden tests), then the self-improvement of selfEditDemo.ts — the seed giving up on the weakness
 * task, the diagnosis of that run, the self-edit of the seed's own code, and the child passing the
 * task — each through the engine's real code for that step, so each carries the prompt a session shows.
 */
async function referenceRuns(runsDir: string, signal?: AbortSignal): Promise<string[]> {
  const cacheDir = path.join(os.tmpdir(), "clade-agent-builds");
  const build = await buildAgent(seedAgentDir(), { cacheDir, signal });
  if (!build.ok) throw new CladeError("internal", `The seed agent does not build: ${build.message}`, "Reinstall Clade.");
  const files: string[] = [];
  const play = async (task: Task, versionId: string, bundle: string, replies: ScriptedReply[], expectPass: boolean): Promise<RunResult> => {
    if (signal?.aborted) throw cancelledError("Building the agent test model");
    // A fixed run id keeps the trajectories (and so the cache key) the same from build to build.
    const run = await runTask({ task, versionId, bundle, provider: new ScriptedProvider(replies), runsDir, limits: AGENT_MODEL_LIMITS, signal, runId: "reference", warm: false });
    if (run.passed !== expectPass) throw new CladeError("internal", `The reference run of ${task.id} (${versionId}) ${run.passed ? "passed" : "did not pass"} its hidden tests (${run.stopReason}); it should ${expectPass ? "" : "not "}have.`, "The task's reference solution or the reference policy is broken; see the trajectory.", { trajectory: run.trajectory });
    await checkNothingDropped(run.trajectory, task.id);
    files.push(run.trajectory);
    return run;
  };
  for (const task of await agentModelTasks()) await play(task, "seed", build.bundle, referenceScript(task, await referenceEdits(task), { runTests: false }), true);
  const long = await builtinTask(LONG_REPLY_TASK);
  await play(long, "seed", build.bundle, referenceScript(long, await referenceEdits(long), { runTests: false }), true);

  const weakness = await builtinTask(WEAKNESS_TASK);
  const failed = await play(weakness, "seed", build.bundle, weaknessUnderSeed, false);
  // The diagnosis, as diagnose() asks for it in a session with this model's context.
  const diagnosisFile = path.join(runsDir, "diagnosis", "reference.jsonl");
  const recorder = new TrajectoryWriter(diagnosisFile);
  recorder.write({ type: "start", runId: "reference", task: { id: "diagnosis" }, versionId: "seed" });
  const scripted = new ScriptedProvider([{ toolCall: { name: "propose_improvement", arguments: { ...demoDiagnosis } } }]);
  await diagnose({
    provider: { chat: async (params, options) => { const result = await scripted.chat(params, options); recorder.llm(params, result, undefined, 0); return result; } },
    scaffoldDir: seedAgentDir(), contextTokens: AGENT_MODEL_LIMITS.contextTokens, signal,
    target: { kind: "failed-task", run: { taskId: weakness.id, passed: false, stopReason: failed.stopReason, changedFiles: false, trajectory: failed.trajectory } },
  });
  recorder.write({ type: "end", result: { passed: true } });
  await recorder.close();
  files.push(diagnosisFile);
  // The self-edit: the seed works on a copy of its own code with the diagnosis as its task.
  const edit = await implement({
    parentScaffoldDir: seedAgentDir(), parentBundle: build.bundle, diagnosis: demoDiagnosis, provider: new ScriptedProvider(selfEditScript),
    trajectoryFile: path.join(runsDir, "self-edit", "reference.jsonl"), limits: AGENT_MODEL_LIMITS, signal,
  });
  try {
    if (!edit.changed) throw new CladeError("internal", `The reference self-edit changed nothing (${edit.stopReason}).`, "The self-edit script no longer matches the seed's code; see selfEditDemo.ts.", { trajectory: edit.trajectory });
    await checkNothingDropped(edit.trajectory, "self-edit");
    files.push(edit.trajectory);
    const child = await buildAgent(edit.dir, { cacheDir, signal });
    if (!child.ok) throw new CladeError("internal", `The reference self-edit does not build: ${child.message}`, "See selfEditDemo.ts.");
    await play(weakness, "child", child.bundle, weaknessUnderChild, true);
  } finally {
    await edit.dispose();
  }
  return files;
}

function longReplyExample(dataset: Awaited<ReturnType<typeof buildDataset>>): { tokens: number; maskedTokens: number; copies: number } | undefined {
  const source = dataset.manifest.sources.find((s) => s.taskId === LONG_REPLY_TASK && s.status === "train");
  return source?.tokens === undefined ? undefined : { tokens: source.tokens, maskedTokens: source.maskedTokens ?? 0, copies: LONG_REPLY_COPIES };
}

/** The training file with the long-reply example repeated LONG_REPLY_COPIES times (the trainer shuffles each epoch). */
async function weightLongReply(dataset: Awaited<ReturnType<typeof buildDataset>>): Promise<string> {
  const source = dataset.manifest.sources.find((s) => s.taskId === LONG_REPLY_TASK && s.status === "train");
  const lines = (await fs.readFile(dataset.train, "utf8")).split("\n").filter((line) => line !== "");
  const line = lines.find((l) => sha256(JSON.stringify(Object.values(JSON.parse(l) as object))) === source?.exampleSha256);
  if (!source || !line) throw new CladeError("internal", `The ${LONG_REPLY_TASK} reference run is not in the training data.`, "See the dataset manifest's source statuses; this is a bug in the agent model's build.");
  const file = path.join(path.dirname(dataset.train), "train-weighted.jsonl");
  await fs.writeFile(file, [...lines, ...Array.from({ length: LONG_REPLY_COPIES - 1 }, () => line)].join("\n") + "\n");
  return file;
}

async function checkNothingDropped(trajectory: string, what: string): Promise<void> {
  const records = (await fs.readFile(trajectory, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { type?: string; droppedMessages?: number });
  if (records.some((record) => record.type === "llm" && (record.droppedMessages ?? 0) > 0)) {
    throw new CladeError("internal", `The reference run of ${what} dropped messages to fit its context, so inference would see another prompt.`, "Give the agent model a longer context.");
  }
}

async function builtinTask(id: string): Promise<Task> {
  const suite = openBuiltinSuite();
  try {
    const task = await suite.get(id);
    if (!task) throw new CladeError("internal", `The built-in task ${id} is missing.`, "Reinstall Clade.");
    return task;
  } finally {
    suite.dispose();
  }
}

/** The text the vocabulary is learned from: every message, tool definition and call of the runs. */
async function trajectoryCorpus(files: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const file of files) {
    const run = await readTrajectory(file);
    const last = run.calls.at(-1);
    if (!last) continue;
    parts.push(JSON.stringify(last.request.tools ?? []));
    for (const message of last.messages) parts.push(message.content, JSON.stringify(message.toolCalls ?? []));
    for (const call of run.calls) parts.push(JSON.stringify(call.result?.toolCalls.map((c) => c.arguments) ?? []));
  }
  return parts.join("\n");
}

async function copyOut(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(to)), { recursive: true });
  await fs.copyFile(from, path.resolve(to));
}

function thin<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * What the trainer computes with: its sources and the llama.cpp it links (the same sources build the
 * same trainer in any clone, where the binary's bytes differ by build paths); the binary's hash where
 * the sources are not beside it.
 */
async function trainerVersion(binary: string): Promise<string> {
  const root = path.resolve(path.dirname(binary), "..");
  const src = path.join(root, "trainer", "src");
  if (!existsSync(src)) return fileSha256(binary);
  const hash = createHash("sha256");
  const files = [...(await fs.readdir(src)).sort().map((name) => path.join(src, name)), path.join(root, "trainer", "CMakeLists.txt"), path.join(root, "build", "llama.cpp.tag")];
  for (const file of files) if (existsSync(file)) hash.update(`${path.basename(file)}\0`).update(await fs.readFile(file));
  return hash.digest("hex");
}

async function fileSha256(file: string): Promise<string> {
  return createHash("sha256").update(await fs.readFile(file)).digest("hex");
}
