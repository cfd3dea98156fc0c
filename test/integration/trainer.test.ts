// The native LoRA trainer end to end: built against node-llama-cpp's own llama.cpp, it trains a
// rank-4 adapter on the generated toy model (1 thread), the loss falls, only the adapter changes,
// node-llama-cpp loads the adapter and predicts the trained continuation better than the base
// model, the loss mask is exact, and a stopped run resumes bit-identically. Also the error paths.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { getLlama, LlamaLogLevel, readGgufFileInfo, type ControlledEvaluateInputItem, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { findTrainerBinary, trainLora, type TrainLoraOptions, type TrainProgress } from "../../extension/engine/train/trainerProcess";
import { ensureTrainer } from "../helpers/trainer";

let dir: string;
let llama: Llama;
let model: LlamaModel;
let modelFile: string;
let binary: string;

const PROMPT = "The little robot opened the door and said";
const CONTINUATION = " hello to the bright green garden";

beforeAll(async () => {
  ensureTrainer({ rebuild: true });
  binary = findTrainerBinary("cpu") ?? "";
  expect(existsSync(binary)).toBe(true);
  dir = await mkdtemp(path.join(tmpdir(), "clade-trainer-int-"));
  modelFile = (await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 11 })).file;
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: modelFile });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sha256 = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");

async function writeJsonl(name: string, rows: { tokens: number[]; mask?: number[] }[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

function base(name: string, dataset: string, extra: Partial<TrainLoraOptions> = {}): TrainLoraOptions {
  return { model: modelFile, dataset, output: path.join(dir, `${name}.gguf`), rank: 4, contextSize: 256, threads: 1, learningRate: 1e-2, schedule: "constant", seed: 3, ...extra };
}

/** Per continuation position: probability of the trained token and whether it is the top token. */
async function scoreContinuation(tokens: Token[], from: number, adapter?: string): Promise<{ meanLogProb: number; topHits: number }> {
  const context = await model.createContext({ contextSize: 256, threads: 1, ...(adapter ? { lora: { adapters: [{ filePath: adapter, scale: 1 }] } } : {}) });
  try {
    const input: ControlledEvaluateInputItem[] = tokens.slice(0, -1).map((t, i) => (i >= from - 1 ? [t, { generateNext: { probabilities: true } }] : t));
    const out = await context.getSequence().controlledEvaluate(input);
    let logProb = 0;
    let topHits = 0;
    for (let i = from - 1; i < tokens.length - 1; i++) {
      const probabilities = out[i]?.next.probabilities;
      if (!probabilities) throw new Error(`no probabilities at position ${i}`);
      logProb += Math.log(Math.max(probabilities.get(tokens[i + 1]) ?? 0, 1e-30));
      if (probabilities.keys().next().value === tokens[i + 1]) topHits++;
    }
    return { meanLogProb: logProb / (tokens.length - from), topHits };
  } finally {
    await context.dispose();
  }
}

/** Reads every `*.lora_b` tensor of an adapter GGUF (F32) and returns its largest |value|. */
async function loraBMaxima(adapter: string): Promise<Map<string, number>> {
  const info = await readGgufFileInfo(adapter, { readTensorInfo: true });
  const bytes = await readFile(adapter);
  const maxima = new Map<string, number>();
  for (const t of info.tensorInfo ?? []) {
    if (!t.name.endsWith(".lora_b")) continue;
    const count = t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + Number(t.fileOffset), bytes.byteOffset + Number(t.fileOffset) + count * 4));
    maxima.set(t.name, values.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
  }
  return maxima;
}

describe("clade-lora-train", () => {
  it("trains an adapter that node-llama-cpp loads and that predicts the trained continuation", async () => {
    const prompt = model.tokenize(PROMPT);
    const tokens = [...prompt, ...model.tokenize(CONTINUATION)];
    const mask = tokens.map((_, i) => (i >= prompt.length ? 1 : 0));
    const dataset = await writeJsonl("train.jsonl", [{ tokens, mask }]);
    const modelHash = await sha256(modelFile);
    const progress: TrainProgress[] = [];
    const result = await trainLora(base("adapter", dataset, { epochs: 40 }), { onProgress: (p) => progress.push(p) });

    console.log(`trainer: toy model, ctx 256, rank 4, 1 thread: ${result.tokensPerSecond.toFixed(0)} tokens/s, ` +
      `loss ${progress[0].loss.toFixed(3)} -> ${result.finalLoss.toFixed(3)}, peak RSS ${((result.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`);
    expect(result.steps).toBe(40);
    expect(progress.map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(result.finalLoss).toBeLessThan(progress[0].loss * 0.5);
    expect(result.tokensPerSecond).toBeGreaterThan(0);

    // Only the adapter is trained: the base model file is untouched, every lora_b moved off zero.
    expect(await sha256(modelFile)).toBe(modelHash);
    const metadata = (await readGgufFileInfo(result.adapter)).metadata as unknown as { general?: { type?: string }; adapter?: { type?: string; lora?: { alpha?: number } } };
    expect(metadata.general?.type).toBe("adapter");
    expect(metadata.adapter?.type).toBe("lora");
    expect(metadata.adapter?.lora?.alpha).toBe(8);
    const maxima = await loraBMaxima(result.adapter);
    expect(maxima.size).toBe(2 * 5); // 2 layers x attn_q, attn_output, ffn_gate, ffn_up, ffn_down
    for (const [name, max] of maxima) expect(max, name).toBeGreaterThan(0);

    const before = await scoreContinuation(tokens, prompt.length);
    const after = await scoreContinuation(tokens, prompt.length, result.adapter);
    console.log(`trainer: continuation mean log-prob ${before.meanLogProb.toFixed(2)} -> ${after.meanLogProb.toFixed(2)}, ` +
      `top-1 hits ${before.topHits} -> ${after.topHits} of ${tokens.length - prompt.length}`);
    expect(after.meanLogProb).toBeGreaterThan(before.meanLogProb + 1);
    expect(after.topHits).toBeGreaterThan(before.topHits);
  });

  it("computes the frozen weights' gradients with Clade's kernel as ggml's OUT_PROD does (quantized, f16, f32)", async () => {
    // The kernel against ggml's own CPU OUT_PROD on random problems of every weight class, with each
    // of its code paths (the best this CPU runs, AVX2, portable C++).
    for (const isa of ["", "avx2", "generic"]) {
      const check = spawnSync(binary, ["--check-weight-backward", "--threads", "2"], { encoding: "utf8", env: { ...process.env, CLADE_WEIGHT_BACKWARD_ISA: isa } });
      const lines = check.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; weightType?: string; ok: boolean; isa?: string });
      const cases = lines.filter((l) => l.type === "check");
      expect(new Set(cases.map((c) => c.weightType))).toEqual(new Set(["q8_0", "q4_0", "q4_K", "q6_K", "q5_K", "f16", "f32"]));
      for (const c of cases) expect(c.ok, `${isa || "best"}: ${JSON.stringify(c)}`).toBe(true);
      expect(lines.at(-1)).toMatchObject({ type: "done", ok: true });
      if (isa === "generic") expect(lines.at(-1)?.isa).toBe("generic");
      if (isa === "avx2") expect(["avx2", "generic"]).toContain(lines.at(-1)?.isa);
      expect(check.status).toBe(0);
    }

    // Whole training runs on a q8_0 model: the same losses step by step with either kernel, and the
    // kernel really took the gradients over (its node count), the reference run none. Five steps:
    // at this learning rate the runs' float rounding (sums in another order) starts to show from the
    // sixth (0.1% at step 6), as AdamW's normalised steps amplify it for near-zero gradients.
    const q8 = (await generateTestModel({ out: path.join(dir, "toy-q8.gguf"), seed: 11, type: "q8_0" })).file;
    const prompt = model.tokenize(PROMPT);
    const tokens = [...prompt, ...model.tokenize(CONTINUATION)];
    const dataset = await writeJsonl("kernel.jsonl", [{ tokens }]);
    const runs: { losses: number[]; nodes: number }[] = [];
    for (const ggmlBackward of [false, true]) {
      const losses: number[] = [];
      let nodes = -1;
      await trainLora({ ...base(`kernel-${ggmlBackward}`, dataset, { epochs: 5 }), model: q8, ggmlBackward, threads: 2 }, {
        onProgress: (p) => losses.push(p.loss),
        onEvent: (e) => { if (e.type === "done") nodes = e.weightBackwardNodes ?? -1; },
      });
      runs.push({ losses, nodes });
    }
    console.log(`kernel vs ggml losses: ${runs[0].losses.map((l, i) => `${l.toFixed(5)}/${runs[1].losses[i].toFixed(5)}`).join(" ")}`);
    expect(runs[0].nodes).toBeGreaterThan(0);
    expect(runs[1].nodes).toBe(0);
    expect(runs[0].losses.at(-1)!).toBeLessThan(runs[0].losses[0] * 0.8); // it trains
    for (let i = 0; i < runs[0].losses.length; i++) expect(Math.abs(runs[0].losses[i] - runs[1].losses[i]), `step ${i + 1}`).toBeLessThan(1e-4 * runs[1].losses[i]);
  });

  it("picks its micro-batch by window: 128 for 256 tokens, halving as windows double, 32 at 1,024 and beyond", async () => {
    const dataset = await writeJsonl("ubatch.jsonl", [{ tokens: model.tokenize(PROMPT + CONTINUATION) }]);
    const seen: Record<number, number | undefined> = {};
    for (const contextSize of [256, 512, 1024, 2048]) seen[contextSize] = (await trainLora(base(`ubatch-${contextSize}`, dataset, { contextSize }))).microBatch;
    expect(seen).toEqual({ 256: 128, 512: 64, 1024: 32, 2048: 32 });
    expect((await trainLora(base("ubatch-set", dataset, { contextSize: 512, microBatch: 256 }))).microBatch).toBe(256);
  });

  it("says when GPU layers were asked for and no GPU backend loaded: the CPU build, and the CUDA build (node-llama-cpp's prebuilt CUDA libraries) without a GPU", async () => {
    const dataset = await writeJsonl("gpu.jsonl", [{ tokens: model.tokenize(PROMPT + CONTINUATION) }]);
    const onCpu = await trainLora(base("gpu-none", dataset, { maxSteps: 1 }));
    expect(onCpu.backend).toBe("CPU");
    expect(onCpu.warnings).toEqual([]);
    const asked = await trainLora(base("gpu-cpu-build", dataset, { maxSteps: 1, gpuLayers: 99 }));
    expect(asked.backend).toBe("CPU");
    expect(asked.warnings.join("\n")).toMatch(/--gpu-layers 99 asks for GPU offload, but no GPU backend could be loaded .* training on the CPU/);

    ensureTrainer({ variant: "cuda", rebuild: true });
    // -1 (every layer, as the engine passes for a GPU it found): a CPU build stays quiet above; a GPU build that finds no GPU says so.
    const cuda = await trainLora(base("gpu-cuda-build", dataset, { maxSteps: 1, gpuLayers: -1, variant: "cuda" }));
    expect(existsSync(cuda.adapter)).toBe(true);
    if (cuda.backend === "CPU") {
      // No GPU here (or no driver): the CUDA build still starts, trains on the CPU and says why.
      expect(cuda.warnings.join("\n")).toMatch(/no GPU backend could be loaded from .*linux-x64-cuda/);
    } else {
      expect(cuda.backend).toMatch(/^CUDA\d+$/);
      expect(cuda.warnings.join("\n")).not.toMatch(/no GPU backend/);
    }
  });

  it("masks the loss exactly: tokens after the last trained one change nothing", async () => {
    const head = model.tokenize("Once upon a time there was a cat");
    const trained = head.map((_, i) => (i >= 3 ? 1 : 0));
    const tailA = model.tokenize(" who liked fish");
    const tailB = model.tokenize(" which hated rain and mud");
    const a = await trainLora(base("maskA", await writeJsonl("maskA.jsonl", [{ tokens: [...head, ...tailA], mask: [...trained, ...tailA.map(() => 0)] }]), { epochs: 4 }));
    const b = await trainLora(base("maskB", await writeJsonl("maskB.jsonl", [{ tokens: [...head, ...tailB], mask: [...trained, ...tailB.map(() => 0)] }]), { epochs: 4 }));
    const c = await trainLora(base("maskC", await writeJsonl("maskC.jsonl", [{ tokens: [...head, ...tailB], mask: [...trained, 1, ...tailB.slice(1).map(() => 0)] }]), { epochs: 4 }));
    expect(await sha256(a.adapter)).toBe(await sha256(b.adapter));
    expect(await sha256(c.adapter)).not.toBe(await sha256(a.adapter));
  });

  it("stops on abort with a checkpoint and resumes to the same adapter as an uninterrupted run", async () => {
    const rows = ["One day a fox ran home", "The sun rose over the sea", "A boy found a small red key"].map((text) => ({ tokens: model.tokenize(text) }));
    const dataset = await writeJsonl("resume.jsonl", rows);
    const options = { epochs: 20, schedule: "cosine" as const, warmupSteps: 5 };
    const straight = await trainLora(base("straight", dataset, options));

    const controller = new AbortController();
    const stopped = await trainLora(base("resumed", dataset, options), {
      signal: controller.signal,
      onProgress: (p) => p.step === 5 && controller.abort(),
    }).then(() => undefined, (error: unknown) => error);
    expect(CladeError.is(stopped, "cancelled")).toBe(true);
    const details = (stopped as CladeError).details as { checkpoint: string; optimizerPath: string; step: number };
    expect(details.step).toBeGreaterThanOrEqual(5);
    expect(details.step).toBeLessThan(60);
    expect(existsSync(details.checkpoint)).toBe(true);
    expect(existsSync(details.optimizerPath)).toBe(true);

    const progress: TrainProgress[] = [];
    const resumed = await trainLora(base("resumed", dataset, { ...options, resumeFrom: details.checkpoint }), { onProgress: (p) => progress.push(p) });
    expect(progress[0].step).toBe(details.step + 1);
    expect(resumed.steps).toBe(60);
    expect(await sha256(resumed.adapter)).toBe(await sha256(straight.adapter));
    expect(existsSync(details.checkpoint)).toBe(false); // removed once the final adapter is written
  });

  it("reports errors as CladeErrors: bad targets, missing binary, a crashing trainer", async () => {
    const dataset = await writeJsonl("err.jsonl", [{ tokens: model.tokenize("a b c d") }]);
    const kv = await trainLora(base("kv", dataset, { targetModules: ["attn_q", "attn_v"] })).catch((e: unknown) => e);
    expect(CladeError.is(kv, "invalid-argument")).toBe(true);
    expect((kv as CladeError).message).toMatch(/attn_v cannot be trained.*KV cache/);

    const missing = await trainLora(base("nobin", dataset, { binaryPath: path.join(dir, "no-such-trainer") })).catch((e: unknown) => e);
    expect(CladeError.is(missing, "no-binary")).toBe(true);
    expect((missing as CladeError).fix).toContain("npm run build:trainer");

    // A process that dies the way a GGML_ASSERT does (message on stderr, then SIGABRT).
    const crasher = path.join(dir, "crashing-trainer.sh");
    await writeFile(crasher, "#!/bin/sh\necho '{\"type\":\"start\"}'\necho 'ggml.c:7291: GGML_ASSERT(cgraph->n_nodes < cgraph->size) failed' >&2\nkill -ABRT $$\n");
    await chmod(crasher, 0o755);
    const crashed = await trainLora(base("crash", dataset, { binaryPath: crasher })).catch((e: unknown) => e);
    expect(CladeError.is(crashed, "training-failed")).toBe(true);
    expect((crashed as CladeError).message).toContain("SIGABRT");
    expect((crashed as CladeError).message).toContain("GGML_ASSERT(cgraph->n_nodes < cgraph->size)");
  });
});
