// `clade bench train`: LoRA training tokens/s and peak RSS with Clade's trainer, against the
// reference BENCH.md allows when llama.cpp's full fine-tune is not built here: the forward pass
// alone over the same windows of the same model (node-llama-cpp, same threads, same context).
// Models: the generated toy model and the Qwen2.5-0.5B-shaped generated model (random weights).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LlamaLogLevel, type Token } from "node-llama-cpp";
import { round, type BenchReport } from "../bench/benchReport";
import { getLlamaBackend } from "../model/backend";
import { generateTestModel } from "../model/testModel/generateTestModel";
import { createRng } from "../search/rng";
import { trainLora } from "./trainerProcess";

export interface BenchTrainOptions {
  presets?: ("toy" | "qwen2.5-0.5b")[];
  /** Optimizer steps (= windows) per model. */
  steps?: number;
  contextSize?: number;
  rank?: number;
  threads?: number;
  trainerBinary?: string;
  onProgress?: (message: string) => void;
}

export async function benchTrain(options: BenchTrainOptions = {}): Promise<BenchReport[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clade-bench-train-"));
  try {
    const reports: BenchReport[] = [];
    for (const preset of options.presets ?? ["toy", "qwen2.5-0.5b"]) reports.push(await benchOne(dir, preset, options));
    return reports;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchOne(dir: string, preset: "toy" | "qwen2.5-0.5b", options: BenchTrainOptions): Promise<BenchReport> {
  const ctx = options.contextSize ?? 256;
  const steps = options.steps ?? (preset === "toy" ? 40 : 2);
  const threads = options.threads ?? 1;
  const rank = options.rank ?? (preset === "toy" ? 4 : 16);
  options.onProgress?.(`${preset}: writing the model`);
  const model = await generateTestModel({ out: path.join(dir, `${preset}.gguf`), preset, seed: 5 });
  // `steps` windows of ctx + 1 random tokens (a window predicts ctx tokens), every position trained.
  const rng = createRng(17);
  const windows = Array.from({ length: steps }, () => Array.from({ length: ctx + 1 }, () => 300 + rng.int(Math.min(model.shape.vocab, 1024) - 300)));
  const dataset = path.join(dir, `${preset}.jsonl`);
  await writeFile(dataset, windows.map((tokens) => JSON.stringify({ tokens })).join("\n") + "\n");
  options.onProgress?.(`${preset}: training ${steps} steps`);
  const trained = await trainLora({ model: model.file, dataset, output: path.join(dir, `${preset}-adapter.gguf`), rank, contextSize: ctx, epochs: 1, threads, learningRate: 1e-3, binaryPath: options.trainerBinary });
  options.onProgress?.(`${preset}: forward pass over the same windows`);
  const forward = await forwardPass(model.file, windows, ctx, threads);
  const trainRss = trained.peakRssBytes ?? null;
  return {
    name: `train-${preset}`,
    ratio: round(trained.tokensPerSecond / forward.tokensPerSecond, 4),
    reference: round(forward.tokensPerSecond, 1),
    measured: round(trained.tokensPerSecond, 1),
    unit: "tokens/s (LoRA training vs forward pass)",
    repetitions: steps,
    goal: "report; memory ≤ 0.5 of full fine-tune (full fine-tune is not built here: reference is the forward pass alone)",
    inputs: { preset, contextSize: ctx, rank, threads, steps, modelBytes: model.sizeBytes, parameters: model.parameterCount, type: model.shape.type },
    details: {
      trainPeakRssBytes: trainRss,
      forwardRssBytes: forward.rssBytes,
      memoryRatio: trainRss !== null && forward.rssBytes > 0 ? round(trainRss / forward.rssBytes, 3) : null,
      trainMs: trained.elapsedMs,
      forwardMs: round(forward.ms, 1),
      finalLoss: trained.finalLoss,
      notes: "tokens/s counts window positions; training RSS is the trainer process's peak; forward RSS is this process's RSS growth while the model and context are loaded (mmapped weights count once touched).",
    },
  };
}

/** Evaluates every window (no sampling) with node-llama-cpp: tokens/s and the RSS growth it costs. */
async function forwardPass(file: string, windows: readonly number[][], ctx: number, threads: number): Promise<{ tokensPerSecond: number; ms: number; rssBytes: number }> {
  const backend = await getLlamaBackend("auto", LlamaLogLevel.error);
  const rssBefore = process.memoryUsage().rss;
  const model = await backend.llama.loadModel({ modelPath: file, gpuLayers: 0 });
  try {
    const context = await model.createContext({ contextSize: ctx + 1, batchSize: ctx + 1, threads, sequences: 1 });
    try {
      const sequence = context.getSequence();
      let tokens = 0;
      const started = performance.now();
      for (const window of windows) {
        await sequence.clearHistory();
        await sequence.evaluateWithoutGeneratingNewTokens(window.slice(0, ctx) as Token[]);
        tokens += ctx;
      }
      const ms = performance.now() - started;
      return { tokensPerSecond: (1000 * tokens) / ms, ms, rssBytes: process.memoryUsage().rss - rssBefore };
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}
