// Training datasets from agent trajectories, end to end with real tokenizers: real runs of the seed
// agent (real runner, sandbox and hidden tests; the model replies are scripted) plus hand-written
// trajectories, rendered with node-llama-cpp's chat wrappers of the generated toy model (Qwen2.5
// template, native tool calls) and of stories260K (no template: Llama2Chat, calls as JSON text).
// Checks: only passing runs, the token text is exactly the inference text, the mask covers exactly
// the model's replies, duplicates go, the split and the hash are stable, the trainer trains on it.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelChatWrapper } from "../../extension/engine/model/modelChatWrapper";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider, type ScriptedReply } from "../../extension/engine/agent/scriptedProvider";
import { TrajectoryWriter } from "../../extension/engine/agent/trajectory";
import { toChatHistory } from "../../extension/engine/model/chatHistory";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { toolInstructions } from "../../extension/engine/model/toolCalls";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { buildDataset, type BuildDatasetResult } from "../../extension/engine/train/buildDataset";
import { finalConversation } from "../../extension/engine/train/finalConversation";
import { renderInference } from "../../extension/engine/train/inferencePrompt";
import { readTrajectory } from "../../extension/engine/train/readTrajectory";
import { findTrainerBinary, trainLora } from "../../extension/engine/train/trainerProcess";
import { CladeError } from "../../extension/protocol/errors";
import type { ChatMessage, ToolCall } from "../../extension/protocol/model";
import { ensureTrainer } from "../helpers/trainer";
import { recordingHost } from "./modelHostFixtures";

let dir: string;
let llama: Llama;
const models: Record<"toy" | "stories", { file: string; model: LlamaModel }> = {} as never;
const runs: Record<"good" | "goodAgain" | "bad" | "auto" | "unfinished" | "garbage", string> = {} as never;

const goodScript: ScriptedReply[] = [
  { toolCall: { name: "read_file", arguments: { path: "calc.mjs" } } },
  { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
  { toolCall: { name: "finish", arguments: { summary: "subtract now returns a - b" } } },
];

function storiesModel(): string {
  const file = process.env.CLADE_TEST_MODEL ?? path.resolve(__dirname, "../../../shared/models/stories260K.gguf");
  if (!existsSync(file)) throw new Error(`stories260K.gguf not found at ${file}: set CLADE_TEST_MODEL to ggml-org's stories260K.gguf.`);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "clade-train-dataset-"));
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const toy = (await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 5 })).file;
  for (const [name, file] of [["toy", toy], ["stories", storiesModel()]] as const) {
    models[name] = { file, model: await llama.loadModel({ modelPath: file, vocabOnly: true }) };
  }
  await recordRuns();
});

afterAll(async () => {
  for (const { model } of Object.values(models)) await model?.dispose();
  await llama?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Real seed-agent runs on a built-in task (scored by its hidden tests) and a few hand-written trajectories. */
async function recordRuns(): Promise<void> {
  const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
  if (!build.ok) throw new Error(`seed agent failed to build: ${build.message}`);
  const task = (await openBuiltinSuite().get("t0-subtract-order"))!;
  const run = async (script: ScriptedReply[]) => runTask({ task, versionId: "seed", bundle: build.bundle, provider: new ScriptedProvider(script), runsDir: path.join(dir, "runs") });
  const good = await run(goodScript);
  const goodAgain = await run(goodScript);
  const bad = await run([{ toolCall: { name: "list_files", arguments: {} } }, { toolCall: { name: "finish", arguments: { summary: "gave up" } } }]);
  expect([good.passed, goodAgain.passed, bad.passed]).toEqual([true, true, false]);
  Object.assign(runs, { good: good.trajectory, goodAgain: goodAgain.trajectory, bad: bad.trajectory });
  runs.auto = await writeAutoRun(path.join(dir, "auto.jsonl"), true);
  runs.unfinished = await writeAutoRun(path.join(dir, "unfinished.jsonl"), false);
  runs.garbage = path.join(dir, "garbage.jsonl");
  writeFileSync(runs.garbage, '{"type":"start"}\n{"type":"llm","keptMessages":0,"newMe');
}

/** An "auto"-mode run (native tool calls where the wrapper has them) that ends with a text reply. */
async function writeAutoRun(file: string, ended: boolean): Promise<string> {
  const tools = [{ name: "run_tests", description: "Run the tests.", parameters: { type: "object", properties: {} } }];
  const call: ToolCall = { id: "call_1", name: "run_tests", arguments: {} };
  const usage = { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 };
  const base: ChatMessage[] = [{ role: "system", content: "You fix code." }, { role: "user", content: "Make the tests pass." }];
  const writer = new TrajectoryWriter(file);
  writer.write({ type: "start", runId: path.basename(file, ".jsonl"), task: { id: "hand", suite: "hand", instructions: "x" }, versionId: "hand" });
  writer.llm({ messages: base, tools, toolChoice: "auto" }, { text: "", toolCalls: [call], stopReason: "toolCall", usage, timings: { firstTokenMs: 1, totalMs: 1 } }, undefined, 1);
  const next: ChatMessage[] = [...base, { role: "assistant", content: "", toolCalls: [call] }, { role: "tool", content: "2 passed, 0 failed", toolCallId: "call_1" }];
  writer.llm({ messages: next, tools, toolChoice: "auto" }, { text: "Done, the tests pass.", toolCalls: [], stopReason: "eos", usage, timings: { firstTokenMs: 1, totalMs: 1 } }, undefined, 1);
  if (ended) writer.write({ type: "end", result: { passed: true } });
  await writer.close();
  return file;
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as { tokens: Token[]; mask: number[] });

/** The example built from `trajectory`, found by its hash in the written files. */
function exampleOf(result: BuildDatasetResult, trajectory: string): { tokens: Token[]; mask: number[] } {
  const source = result.manifest.sources.find((s) => s.file === trajectory)!;
  const all = [...lines(result.train), ...lines(result.heldOut)];
  const found = all.find((line) => createHash("sha256").update(JSON.stringify([line.tokens, line.mask])).digest("hex") === source.exampleSha256);
  if (!found) throw new Error(`no example for ${trajectory}`);
  return found;
}

/** The runs of consecutive mask-1 tokens, detokenized with special tokens. */
function maskedSpans(model: LlamaModel, example: { tokens: Token[]; mask: number[] }): string[] {
  const spans: Token[][] = [];
  example.mask.forEach((m, i) => {
    if (m === 1 && (i === 0 || example.mask[i - 1] === 0)) spans.push([]);
    if (m === 1) spans.at(-1)!.push(example.tokens[i]);
  });
  return spans.map((span) => model.detokenize(span, true));
}

/** Python's json.dumps (what the Qwen template's tojson writes): ", " and ": " separators. */
function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (value && typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`).join(", ")}}`;
  return JSON.stringify(value);
}

async function build(model: "toy" | "stories", outName: string, trajectories: string[], extra: { heldOutFraction?: number; seed?: number; maxTokens?: number } = {}) {
  return buildDataset({ trajectories, modelPath: models[model].file, outDir: path.join(dir, outName), heldOutFraction: 0, maxTokens: 8192, ...extra });
}

describe("buildDataset", () => {
  it("keeps only passing, finished, readable runs, once each, and records them in the manifest", async () => {
    const all = [runs.good, runs.bad, runs.goodAgain, runs.auto, runs.unfinished, runs.garbage];
    const progress: number[] = [];
    const result = await buildDataset({ trajectories: all, modelPath: models.stories.file, outDir: path.join(dir, "all"), heldOutFraction: 0, maxTokens: 8192 }, { onProgress: (p) => progress.push(p.done ?? -1) });
    const { manifest } = result;
    expect(manifest.sources.map((s) => s.status)).toEqual([expect.any(String), "failed", expect.any(String), "train", "unfinished", "unreadable"]);
    // The same script gives the same conversation: one of the two runs is a duplicate of the other
    // (the one with the smaller run id is kept).
    const [first, , second] = manifest.sources;
    const [kept, dropped] = first.status === "train" ? [first, second] : [second, first];
    expect([kept.status, dropped.status]).toEqual(["train", "duplicate"]);
    expect(dropped.duplicateOf).toBe(kept.file);
    expect(dropped.exampleSha256).toBe(kept.exampleSha256);
    expect(kept.runId! < dropped.runId!).toBe(true);
    expect(manifest.sources[5].reason).toMatch(/Line 2 .* is not JSON/);
    expect(manifest.counts).toMatchObject({ trajectories: 6, passed: 3, train: 2, failed: 1, duplicate: 1, unfinished: 1, unreadable: 1 });
    expect(progress).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Files, hashes and the model as recorded.
    expect(manifest.datasetHash).toBe(sha256(result.train));
    expect(manifest.train.sha256).toBe(sha256(result.train));
    expect(manifest.heldOut).toMatchObject({ examples: 0, sha256: sha256(result.heldOut) });
    expect(manifest.model).toMatchObject({ sha256: sha256(models.stories.file), chatWrapper: "Llama2Chat", functionCalling: false, vocabularySize: 512 });
    expect(JSON.parse(readFileSync(result.manifestFile, "utf8"))).toEqual(manifest);
    const written = lines(result.train);
    expect(written).toHaveLength(2);
    for (const line of written) {
      expect(line.mask).toHaveLength(line.tokens.length);
      expect(line.tokens.every((t) => Number.isInteger(t) && t >= 0 && t < 512)).toBe(true);
    }
    expect(manifest.train.tokens).toBe(written.reduce((n, l) => n + l.tokens.length, 0));
    expect(manifest.train.maskedTokens).toBe(written.reduce((n, l) => n + l.mask.filter((m) => m === 1).length, 0));
  });

  it('imitate "finished" also keeps a finished run that failed (the agent test model imitates chosen failures), never an unfinished one', async () => {
    const result = await buildDataset({ trajectories: [runs.bad, runs.unfinished], imitate: "finished", modelPath: models.stories.file, outDir: path.join(dir, "imitate"), heldOutFraction: 0, maxTokens: 8192 });
    expect(result.manifest.sources.map((s) => s.status)).toEqual(["train", "unfinished"]);
    expect(result.manifest.options.imitate).toBe("finished");
    expect(lines(result.train)).toHaveLength(1);
  });

  it("stories260K (no tool syntax): the tokens are what the host renders for inference and the mask is exactly each JSON call and its EOS", async () => {
    const result = await build("stories", "stories", [runs.good]);
    const { model } = models.stories;
    const example = exampleOf(result, runs.good);
    const run = await readTrajectory(runs.good);
    const conversation = finalConversation(run)!;
    const wrapper = modelChatWrapper(model);
    // The model host's own rendering (model/chatHistory.ts, as chatRunner renders a "required" request).
    const hostTokens = (messages: ChatMessage[]) =>
      wrapper.generateContextState({ chatHistory: toChatHistory(messages, { nativeTools: false, extraSystemText: toolInstructions(conversation.request.tools!) }) }).contextText.tokenize(model.tokenizer);
    const full = hostTokens(conversation.messages);
    expect(example.tokens.slice(0, -1)).toEqual(full);
    expect(example.tokens.at(-1)).toBe(model.tokens.eos);
    // Every prompt the model was given is the start of the example.
    for (const call of run.calls) {
      const prompt = hostTokens(call.messages);
      expect(example.tokens.slice(0, prompt.length)).toEqual(prompt);
      expect(example.mask[prompt.length - 1]).toBe(0);
      expect(example.mask[prompt.length]).toBe(1);
    }
    const calls = conversation.messages.flatMap((m) => m.toolCalls ?? []);
    expect(calls.map((c) => c.name)).toEqual(["read_file", "edit_file", "finish"]);
    expect(maskedSpans(model, example)).toEqual(calls.map((c) => `${JSON.stringify({ name: c.name, arguments: c.arguments })}</s>`));
  });

  it("toy model (Qwen2.5 template, native tool calls): the chronological chat the template renders, masked on each call and its <|im_end|>", async () => {
    const result = await build("toy", "toy", [runs.good, runs.auto]);
    expect(result.manifest.model).toMatchObject({ chatWrapper: "JinjaTemplate", functionCalling: true });
    const { model } = models.toy;
    const example = exampleOf(result, runs.good);
    const run = await readTrajectory(runs.good);
    const { messages, request } = finalConversation(run)!;
    // Written out by hand from the Qwen2.5 chat template: the system prompt with the template's own
    // tool documentation (as inference renders a "required" call natively), turns in order, each call
    // followed by its result. (The bare-JSON tool instructions must not be there: inference never sends them here.)
    const text = model.detokenize(example.tokens, true);
    expect(text).not.toContain(toolInstructions(request.tools!));
    expect(text).toContain("# Tools");
    let expected = text.slice(0, text.indexOf(`<|im_start|>user\n${messages[1].content}`)) + `<|im_start|>user\n${messages[1].content}<|im_end|>\n`;
    expect(expected.startsWith(`<|im_start|>system\n${messages[0].content}`)).toBe(true);
    const spans: string[] = [];
    for (const message of messages.slice(2)) {
      if (message.role === "assistant") {
        const call = message.toolCalls![0];
        spans.push(`<tool_call>\n{"name": "${call.name}", "arguments": ${pyJson(call.arguments)}}\n</tool_call><|im_end|>`);
        expected += `<|im_start|>assistant\n${spans.at(-1)}\n`;
      } else {
        expected += `<|im_start|>user\n<tool_response>\n${message.content}\n</tool_response><|im_end|>\n`;
      }
    }
    expect(model.detokenize(example.tokens, true)).toBe(expected.slice(0, -1));
    expect(maskedSpans(model, example)).toEqual(spans);
    expect(example.tokens.at(-1)).toBe(model.tokens.eot ?? model.tokens.eos);
    // Every prompt the model was given, as the model host itself evaluates it (its real prompt
    // tokens, returned by the host), is the start of the example: one renderer for both.
    const renderer = { wrapper: modelChatWrapper(model), functionCalling: true };
    const { host } = recordingHost(dir);
    try {
      await host.load({ model: models.toy.file, threads: 1, contextPerSequence: 2048, gpu: "cpu" });
      for (const call of run.calls) {
        const reply = await host.chat({ ...call.request, messages: call.messages, maxTokens: 4, temperature: 0, returnPromptTokens: true });
        const prompt = reply.promptTokenIds!;
        expect(prompt.length).toBeGreaterThan(50);
        expect(example.tokens.slice(0, prompt.length)).toEqual(prompt);
        expect(example.mask[prompt.length - 1]).toBe(0);
        expect(renderInference(renderer, call.messages, call.request).contextText.tokenize(model.tokenizer)).toEqual(prompt);
      }
    } finally {
      await host.dispose();
    }
    // A text reply after a native call: the text and its end of turn are the model's, the tool result is not.
    const auto = exampleOf(result, runs.auto);
    expect(maskedSpans(model, auto)).toEqual(['<tool_call>\n{"name": "run_tests", "arguments": {}}\n</tool_call><|im_end|>', "Done, the tests pass.<|im_end|>"]);
    expect(model.detokenize(auto.tokens, true)).toContain("# Tools");
  });

  it("gives the same files and hash for the same runs in any order, and splits by the seed", async () => {
    const inputs = [runs.good, runs.auto, runs.bad];
    const a = await build("toy", "split-a", inputs, { heldOutFraction: 0.5, seed: 3 });
    const b = await build("toy", "split-b", [...inputs].reverse(), { heldOutFraction: 0.5, seed: 3 });
    expect(readFileSync(b.train, "utf8")).toBe(readFileSync(a.train, "utf8"));
    expect(readFileSync(b.heldOut, "utf8")).toBe(readFileSync(a.heldOut, "utf8"));
    expect(b.manifest.datasetHash).toBe(a.manifest.datasetHash);
    expect(a.manifest.train.examples).toBe(1);
    expect(a.manifest.heldOut.examples).toBe(1);
    const status = (r: BuildDatasetResult) => Object.fromEntries(r.manifest.sources.map((s) => [s.file, s.status]));
    expect(status(b)).toEqual(status(a));
    // Rebuilding into the same folder rewrites identical bytes.
    const again = await build("toy", "split-a", inputs, { heldOutFraction: 0.5, seed: 3 });
    expect(again.manifest).toEqual(a.manifest);
  });

  it("cuts whole early turns to fit the window (system, task and final reply kept), and defaults the window from the model", async () => {
    const full = await build("toy", "full", [runs.good]);
    const fullLength = full.manifest.sources[0].tokens!;
    const fullExample = exampleOf(full, runs.good);
    // A window that holds the example without its first turn (read_file and the file it returned).
    const cut = await build("toy", "cut", [runs.good], { maxTokens: fullLength - 40 });
    const source = cut.manifest.sources[0];
    expect(source.status).toBe("train");
    expect(source.cutTurns).toBe(1);
    expect(cut.manifest.cut).toEqual({ examples: 1, turns: 1 });
    const example = exampleOf(cut, runs.good);
    const text = models.toy.model.detokenize(example.tokens, true);
    expect(text).not.toContain('<tool_call>\n{"name": "read_file"');
    expect(text).toContain('<tool_call>\n{"name": "edit_file"');
    expect(maskedSpans(models.toy.model, example).at(-1)).toBe(maskedSpans(models.toy.model, fullExample).at(-1));
    expect(example.tokens.slice(0, 40)).toEqual(fullExample.tokens.slice(0, 40));
    // No window given: the model's trained context (at most 4096), not the old 512 that dropped every real run.
    const defaulted = await buildDataset({ trajectories: [runs.good], modelPath: models.toy.file, outDir: path.join(dir, "default-window"), heldOutFraction: 0 });
    const trained = Number((models.toy.model.fileInfo.architectureMetadata as { context_length?: number }).context_length);
    expect(defaulted.manifest.options.maxTokens).toBe(Math.min(trained, 4096));
    expect(defaulted.manifest.options.maxTokens).toBeGreaterThan(512);
  });

  it("drops examples longer than the trainer's window and says so when nothing is left", async () => {
    const error = await build("toy", "short", [runs.good, runs.bad], { maxTokens: 64 }).catch((e: unknown) => e);
    expect(CladeError.is(error, "invalid-argument")).toBe(true);
    expect((error as CladeError).message).toMatch(/No training examples: of 2 trajectories 1 passed.*1 too-long/);
    const kept = await build("toy", "auto-only", [runs.good, runs.auto], { maxTokens: 300 });
    expect(kept.manifest.sources.map((s) => s.status)).toEqual(["too-long", "train"]);
    expect(kept.manifest.sources[0].tokens).toBeGreaterThan(301);
    expect(kept.manifest.sources[0].cutTurns).toBeGreaterThan(0);
  });

  it("fails with a typed error for a missing model and for a cancelled build", async () => {
    const missing = await buildDataset({ trajectories: [runs.good], modelPath: path.join(dir, "none.gguf"), outDir: path.join(dir, "x") }).catch((e: unknown) => e);
    expect(CladeError.is(missing, "model-missing")).toBe(true);
    const controller = new AbortController();
    controller.abort();
    const cancelled = await buildDataset({ trajectories: [runs.good], modelPath: models.toy.file, outDir: path.join(dir, "y") }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(CladeError.is(cancelled, "cancelled")).toBe(true);
  });

  it("is accepted by the native LoRA trainer: a tiny training and evaluation have a finite loss", async () => {
    ensureTrainer({ rebuild: true });
    expect(findTrainerBinary("cpu")).toBeDefined();
    const data = await build("toy", "train-run", [runs.good, runs.auto, runs.goodAgain], { heldOutFraction: 0.4, seed: 1 });
    expect(data.manifest.heldOut.examples).toBe(1);
    const evals: number[] = [];
    const trained = await trainLora(
      { model: models.toy.file, dataset: data.train, evalDataset: data.heldOut, output: path.join(dir, "adapter.gguf"), rank: 2, contextSize: 256, threads: 1, epochs: 1, maxSteps: 3, seed: 1 },
      { onEvent: (event) => event.type === "eval" && evals.push(event.loss) },
    );
    expect(trained.steps).toBeGreaterThan(0);
    expect(Number.isFinite(trained.finalLoss)).toBe(true);
    expect(trained.finalLoss).toBeGreaterThan(0);
    expect(evals.length).toBeGreaterThan(0);
    expect(evals.every(Number.isFinite)).toBe(true);
    expect(existsSync(trained.adapter)).toBe(true);
  });
});
