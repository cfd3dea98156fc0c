// `clade bench train`: LoRA training tokens/s and peak RSS with Clade's trainer, against the
// reference BENCH.md allows when llama.cpp's full fine-tune is not built here: the forward pass
// alone over the same windows of the same model, same threads — node-llama-cpp in a bare process,
// computing every position's logits as a training window's forward pass does (benchTrainForward).
// Also: the trainer's own forward pass (its held-out evaluation of the same windows: same process,
// same weight layout), and the memory a 7B / 8B base would need, from a memory model calibrated
// on the measured runs.
// Models: the generated toy model and the Qwen2.5-0.5B-shaped generated model (random weights).
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { median, round, type BenchReport } from "../bench/benchReport";
import { generateTestModel } from "../model/testModel/generateTestModel";
import { createRng } from "../search/rng";
import { forwardReference, type ForwardReference } from "./benchTrainForward";
import { trainLora, type TrainLoraResult } from "./trainerProcess";

type Preset = "toy" | "qwen2.5-0.5b";

export interface BenchTrainOptions {
  presets?: Preset[];
  /** Optimizer steps (= windows) per model and run. */
  steps?: number;
  contextSize?: number;
  rank?: number;
  threads?: number;
  /** Runs per model; figures are medians over runs (default 3). */
  runs?: number;
  /** Micro-batch; default the trainer's. */
  microBatch?: number;
  trainerBinary?: string;
  /** Where node-llama-cpp resolves from (the install root). */
  cwd?: string;
  onProgress?: (message: string) => void;
}

/** A transformer's shape, for the memory model. */
export interface MemoryShape {
  layers: number;
  embd: number;
  ff: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** Bytes of the (quantized) weights. */
  weightBytes: number;
}

/** Real models users run (REAL_MODELS.md; Q4_K_M files). */
export const ESTIMATE_MODELS: { name: string; shape: MemoryShape }[] = [
  { name: "Qwen2.5-7B Q4_K_M", shape: { layers: 28, embd: 3584, ff: 18944, heads: 28, kvHeads: 4, headDim: 128, vocab: 152064, weightBytes: 4.68e9 } },
  { name: "Llama-3.1-8B Q4_K_M", shape: { layers: 32, embd: 4096, ff: 14336, heads: 32, kvHeads: 8, headDim: 128, vocab: 128256, weightBytes: 4.92e9 } },
];

/**
 * Peak training memory, by term (bytes). The trainer keeps, per micro-batch token, each layer's
 * activations for the backward (~10 embd-wide + 4 ff-wide f32 rows) and the logits with their
 * gradient (2 vocab-wide rows); per micro-batch token and KV position, each layer's attention scores
 * and softmax (2 per head); an F32 KV cache over the window; the adapter with its gradient and AdamW
 * moments (4 f32 values per parameter). `scale` calibrates the first two terms to a measured run.
 */
export function trainingMemory(shape: MemoryShape, o: { window: number; microBatch: number; rank: number; scale: number; baselineBytes: number }) {
  const activations = o.scale * 4 * o.microBatch * (shape.layers * (10 * shape.embd + 4 * shape.ff) + 2 * shape.vocab);
  const attention = o.scale * 4 * 2 * shape.layers * shape.heads * o.microBatch * o.window;
  const kvCache = 4 * 2 * shape.layers * shape.kvHeads * shape.headDim * o.window;
  // attn_q, attn_output, ffn_gate, ffn_up, ffn_down: rank x (in + out) each.
  const adapterParams = shape.layers * o.rank * (7 * shape.embd + 3 * shape.ff);
  const adapter = 16 * adapterParams;
  const total = shape.weightBytes + activations + attention + kvCache + adapter + o.baselineBytes;
  return { total, weights: shape.weightBytes, activations, attention, kvCache, adapter, adapterParams, baseline: o.baselineBytes };
}

/** The calibration: measured peak − the exactly known terms, over the modelled activation + attention terms at scale 1. */
export function calibrateScale(shape: MemoryShape, measuredPeak: number, o: { window: number; microBatch: number; rank: number; baselineBytes: number }): number {
  const unit = trainingMemory(shape, { ...o, scale: 1 });
  const known = unit.weights + unit.kvCache + unit.adapter + unit.baseline;
  return Math.max(0, (measuredPeak - known) / (unit.activations + unit.attention));
}

/** The trainer process before it loads a model (its libraries): measured once here, ~10–20 MB. */
const TRAINER_BASELINE_BYTES = 16 * 2 ** 20;

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

interface RunFigures {
  trained: TrainLoraResult;
  forward: ForwardReference;
}

async function benchOne(dir: string, preset: Preset, options: BenchTrainOptions): Promise<BenchReport> {
  const ctx = options.contextSize ?? 256;
  const steps = options.steps ?? (preset === "toy" ? 40 : 2);
  const threads = options.threads ?? 1;
  const rank = options.rank ?? (preset === "toy" ? 4 : 16);
  const runs = options.runs ?? 3;
  options.onProgress?.(`${preset}: writing the model`);
  const model = await generateTestModel({ out: path.join(dir, `${preset}.gguf`), preset, seed: 5 });
  // `steps` windows of ctx + 1 random tokens (a window predicts ctx tokens), every position trained.
  const rng = createRng(17);
  const windows = Array.from({ length: steps }, () => Array.from({ length: ctx + 1 }, () => 300 + rng.int(Math.min(model.shape.vocab, 1024) - 300)));
  const dataset = path.join(dir, `${preset}.jsonl`);
  await writeFile(dataset, windows.map((tokens) => JSON.stringify({ tokens })).join("\n") + "\n");
  const figures: RunFigures[] = [];
  for (let run = 1; run <= runs; run++) {
    options.onProgress?.(`${preset}: run ${run}/${runs}: training ${steps} steps`);
    // The held-out set is the same windows: the trainer's evaluation after the epoch is its own
    // forward pass over them (same process, same weight layout).
    const trained = await trainLora({
      model: model.file, dataset, evalDataset: dataset, output: path.join(dir, `${preset}-adapter.gguf`), rank, contextSize: ctx, epochs: 1, threads,
      learningRate: 1e-3, microBatch: options.microBatch, binaryPath: options.trainerBinary,
    });
    options.onProgress?.(`${preset}: run ${run}/${runs}: forward pass over the same windows (node-llama-cpp)`);
    const forward = await forwardReference({ file: model.file, windows, ctx, threads, cwd: options.cwd ?? process.cwd() });
    figures.push({ trained, forward });
  }
  const med = (f: (r: RunFigures) => number | undefined) => {
    const values = figures.map(f).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length ? median(values) : null;
  };
  const trainTps = med((r) => r.trained.tokensPerSecond)!;
  const forwardTps = med((r) => r.forward.allLogitsTokensPerSecond)!;
  const promptTps = med((r) => r.forward.promptTokensPerSecond);
  const trainerForwardTps = med((r) => r.trained.evalTokensPerSecond);
  const trainPeak = med((r) => r.trained.peakRssBytes);
  const forwardBytes = med((r) => r.forward.forwardBytes);
  const microBatch = figures[0].trained.microBatch ?? ctx;

  const shape: MemoryShape = {
    layers: model.shape.layers, embd: model.shape.embd, ff: model.shape.ff, heads: model.shape.heads, kvHeads: model.shape.kvHeads,
    headDim: model.shape.embd / model.shape.heads, vocab: model.shape.vocab, weightBytes: (await stat(model.file)).size,
  };
  const scale = trainPeak !== null ? calibrateScale(shape, trainPeak, { window: ctx, microBatch, rank, baselineBytes: TRAINER_BASELINE_BYTES }) : null;
  // Only a real model's shape calibrates the model: the toy's few MB are mostly the process baseline.
  const estimates = scale === null || preset === "toy" ? null : ESTIMATE_MODELS.flatMap(({ name, shape: s }) =>
    [microBatch, 32].filter((u, i, all) => all.indexOf(u) === i).map((u) => {
      const m = trainingMemory(s, { window: 8192, microBatch: u, rank: 16, scale, baselineBytes: TRAINER_BASELINE_BYTES });
      return { model: name, window: 8192, rank: 16, microBatch: u, totalGB: gb(m.total), weightsGB: gb(m.weights), activationsGB: gb(m.activations), attentionGB: gb(m.attention), kvCacheGB: gb(m.kvCache), adapterGB: gb(m.adapter), adapterParams: m.adapterParams };
    }));

  return {
    name: `train-${preset}`,
    ratio: round(trainTps / forwardTps, 4),
    reference: round(forwardTps, 1),
    measured: round(trainTps, 1),
    unit: "tokens/s (LoRA training vs the forward pass with every position's logits, node-llama-cpp)",
    repetitions: runs,
    goal: "speed ≥ 0.30 of the forward pass; peak memory ≤ 1.5× the forward pass's (issue 19)",
    inputs: { preset, contextSize: ctx, microBatch, rank, threads, steps, runs, modelBytes: model.sizeBytes, parameters: model.parameterCount, type: model.shape.type },
    details: {
      memoryRatio: trainPeak !== null && forwardBytes ? round(trainPeak / forwardBytes, 3) : null,
      trainPeakRssBytes: trainPeak,
      forwardBytes,
      ratioVsTrainerForward: trainerForwardTps ? round(trainTps / trainerForwardTps, 4) : null,
      trainerForwardTokensPerSecond: trainerForwardTps === null ? null : round(trainerForwardTps, 1),
      ratioVsPromptForward: promptTps ? round(trainTps / promptTps, 4) : null,
      promptForwardTokensPerSecond: promptTps === null ? null : round(promptTps, 1),
      backend: figures[0].trained.backend ?? null,
      memoryModelScale: scale === null ? null : round(scale, 3),
      estimates,
      samples: figures.map((r) => ({
        trainTokensPerSecond: round(r.trained.tokensPerSecond, 2), trainPeakRssBytes: r.trained.peakRssBytes ?? null, trainerForwardTokensPerSecond: r.trained.evalTokensPerSecond === undefined ? null : round(r.trained.evalTokensPerSecond, 1),
        forwardTokensPerSecond: round(r.forward.allLogitsTokensPerSecond, 1), promptTokensPerSecond: round(r.forward.promptTokensPerSecond, 1), forwardBytes: r.forward.forwardBytes,
      })),
      notes:
        "Medians over runs. tokens/s counts window positions. Training memory is the trainer process's peak RSS; the forward pass's is a bare node-llama-cpp process's peak RSS minus its RSS before the model loaded. " +
        "The reference forward uses node-llama-cpp's defaults (repacked weights: AMX/AVX-512 kernels where the CPU has them); the trainer cannot use repacked weights (no backward), so ratioVsTrainerForward compares with its own forward pass. " +
        "estimates: the memory model (trainingMemory) with its activation/attention scale calibrated on this run's measured peak, for an 8k window at rank 16, at this run's micro-batch and at 32 (the trainer's default for windows of 1,024 tokens and more); printed for the 0.5B shape only.",
    },
  };
}

const gb = (bytes: number) => round(bytes / 1e9, 2);
