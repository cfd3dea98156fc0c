// The closed-loop demonstration (STaR / RISE-style filtered self-training) on a model small enough
// for a CPU: sample answers to training tasks of a synthetic family (choiceTasks.ts), keep the
// successes, train a LoRA adapter on them with Clade's trainer (loss only on the model's answer
// token), and measure the success rate on held-out tasks of the family before and after, with the
// same sampling settings and the same random numbers.
//
// Sampling is grammar-constrained to the listed options, each one token, so sampling at
// temperature T is exactly a draw from softmax(logit(option) / T) over the options: the logits are
// read with node-llama-cpp (controlledEvaluate, filtered to the option tokens), the draw is seeded.
// The exact expected success rate (mean probability of the right option) is reported next to the
// sampled counts.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { CladeError, cancelledError } from "../../protocol/errors";
import { getLlamaBackend } from "../model/backend";
import { generateTestModel } from "../model/testModel/generateTestModel";
import { createRng, hash32 } from "../search/rng";
import { makeChoiceTasks, type ChoiceTask } from "./choiceTasks";
import { trainLora, type TrainLoraResult } from "./trainerProcess";

export interface ClosedLoopOptions {
  /** Gets the model (when generated), the dataset and the adapter. */
  workDir: string;
  /** Base model GGUF; default: the generated toy test model (seed 11) written into workDir. */
  model?: string;
  trainTasks?: number;
  heldOutTasks?: number;
  /** Attempts sampled per task (training and held-out alike). */
  samples?: number;
  temperature?: number;
  /** Options listed per task (chance rate = 1 / options). */
  options?: number;
  seed?: number;
  rank?: number;
  epochs?: number;
  learningRate?: number;
  threads?: number;
  /**
   * true (default): the loss is on the answer token only (mask 0 on the prompt). false: mask all
   * ones, so predicting the prompt's tokens is trained too (the comparison in the trainer's README).
   */
  maskPrompts?: boolean;
  trainerBinary?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface SampledRate {
  tasks: number;
  samples: number;
  successes: number;
  /** successes / samples. */
  rate: number;
  /** Mean probability of the right option: the rate an infinite number of samples would give. */
  expectedRate: number;
}

export interface ClosedLoopResult {
  model: string;
  settings: Required<Pick<ClosedLoopOptions, "trainTasks" | "heldOutTasks" | "samples" | "temperature" | "options" | "seed" | "rank" | "epochs" | "learningRate" | "maskPrompts">>;
  chanceRate: number;
  /** Sampling on the training tasks with the base model: where the training data came from. */
  trainSampling: SampledRate & { solvedTasks: number; examples: number };
  heldOutBefore: SampledRate;
  heldOutAfter: SampledRate;
  training: Pick<TrainLoraResult, "adapter" | "finalLoss" | "steps" | "tokensPerSecond" | "elapsedMs" | "peakRssBytes">;
  wallMs: number;
}

interface Attempts {
  rate: SampledRate;
  /** Per task: how many of its samples were right. */
  perTask: number[];
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const started = Date.now();
  const settings = {
    trainTasks: options.trainTasks ?? 96, heldOutTasks: options.heldOutTasks ?? 100, samples: options.samples ?? 8, temperature: options.temperature ?? 1,
    options: options.options ?? 4, seed: options.seed ?? 1, rank: options.rank ?? 8, epochs: options.epochs ?? 6, learningRate: options.learningRate ?? 5e-3,
    maskPrompts: options.maskPrompts ?? true,
  };
  if (!(settings.temperature > 0)) throw new CladeError("invalid-argument", `temperature must be > 0, got ${settings.temperature}.`, "Sample at e.g. temperature 1.");
  const say = (message: string) => options.onProgress?.(message);
  await mkdir(options.workDir, { recursive: true });
  const modelFile = options.model ? path.resolve(options.model) : (await generateTestModel({ out: path.join(options.workDir, "toy.gguf"), seed: 11 })).file;
  if (!existsSync(modelFile)) throw new CladeError("model-missing", `The model ${modelFile} does not exist.`, "Pass an existing GGUF file, or leave the model out to use the generated toy model.");
  const trainTasks = makeChoiceTasks(settings.trainTasks, settings.seed, settings.options);
  const heldOut = makeChoiceTasks(settings.heldOutTasks, settings.seed + 1, settings.options, new Set(trainTasks.map((t) => t.key)));
  const threads = options.threads ?? 1;
  const backend = await getLlamaBackend("auto", LlamaLogLevel.error);
  const model = await backend.llama.loadModel({ modelPath: modelFile, gpuLayers: 0 });
  try {
    say("sampling the training tasks with the base model");
    const trainAttempts = await attempt(model, trainTasks, settings, threads, hash32(settings.seed, 1));
    say("sampling the held-out tasks with the base model");
    const before = await attempt(model, heldOut, settings, threads, hash32(settings.seed, 2));
    const examples = trainTasks.filter((_, i) => trainAttempts.perTask[i] > 0).map((task) => example(model, task, settings.maskPrompts));
    if (examples.length === 0) throw new CladeError("training-failed", "No training task was solved by sampling, so there is nothing to train on.", "Sample more attempts per task (--samples) or use more training tasks.");
    const dataset = path.join(options.workDir, "successes.jsonl");
    await writeFile(dataset, examples.map((e) => JSON.stringify(e)).join("\n") + "\n");
    if (options.signal?.aborted) throw cancelledError("The closed-loop demonstration");
    say(`training an adapter on ${examples.length} successes`);
    const trained = await trainLora({
      model: modelFile, dataset, output: path.join(options.workDir, "adapter.gguf"), rank: settings.rank, epochs: settings.epochs,
      learningRate: settings.learningRate, schedule: "constant", contextSize: 256, threads, seed: settings.seed, binaryPath: options.trainerBinary,
    }, { signal: options.signal });
    say("sampling the held-out tasks with the adapter");
    const after = await attempt(model, heldOut, settings, threads, hash32(settings.seed, 2), trained.adapter);
    const solvedTasks = trainAttempts.perTask.filter((n) => n > 0).length;
    return {
      model: modelFile, settings, chanceRate: 1 / settings.options,
      trainSampling: { ...trainAttempts.rate, solvedTasks, examples: examples.length },
      heldOutBefore: before.rate, heldOutAfter: after.rate,
      training: { adapter: trained.adapter, finalLoss: trained.finalLoss, steps: trained.steps, tokensPerSecond: trained.tokensPerSecond, elapsedMs: trained.elapsedMs, peakRssBytes: trained.peakRssBytes },
      wallMs: Date.now() - started,
    };
  } finally {
    await model.dispose();
  }
}

/** The prompt's tokens plus the right option's token; only the answer is trained (mask 1) unless `maskPrompts` is false. */
function example(model: LlamaModel, task: ChoiceTask, maskPrompts: boolean): { tokens: Token[]; mask: number[] } {
  const prompt = model.tokenize(task.prompt);
  const tokens = [...prompt, optionToken(model, task.options[task.answer])];
  return { tokens, mask: tokens.map((_, i) => (!maskPrompts || i === tokens.length - 1 ? 1 : 0)) };
}

export function optionToken(model: LlamaModel, option: string): Token {
  const tokens = model.tokenize(option);
  if (tokens.length !== 1) throw new CladeError("invalid-argument", `The option "${option}" is ${tokens.length} tokens in this model, not one.`, "Use the generated toy test model (its vocabulary has every option as one token).");
  return tokens[0];
}

/** Samples `samples` answers per task (seeded), grammar-constrained to its options. */
async function attempt(model: LlamaModel, tasks: readonly ChoiceTask[], settings: { samples: number; temperature: number }, threads: number, seed: number, adapter?: string): Promise<Attempts> {
  const context = await model.createContext({ contextSize: 256, threads, sequences: 1, ...(adapter ? { lora: { adapters: [{ filePath: adapter, scale: 1 }] } } : {}) });
  const rng = createRng(seed);
  const perTask: number[] = [];
  let expected = 0;
  try {
    const sequence = context.getSequence();
    for (const task of tasks) {
      const optionTokens = task.options.map((o) => optionToken(model, o));
      const prompt = model.tokenize(task.prompt);
      await sequence.clearHistory();
      const out = await sequence.controlledEvaluate([...prompt.slice(0, -1), [prompt[prompt.length - 1], { generateNext: { logits: { filter: { tokens: optionTokens } } } }]]);
      const logits = out[prompt.length - 1]?.next.logits;
      if (!logits) throw new CladeError("internal", "node-llama-cpp returned no logits for the answer position.", "Report this with the model file.");
      const probabilities = softmax(optionTokens.map((t) => (logits.get(t) ?? -Infinity) / settings.temperature));
      expected += probabilities[task.answer];
      let right = 0;
      for (let s = 0; s < settings.samples; s++) right += Number(draw(probabilities, rng.next()) === task.answer);
      perTask.push(right);
    }
  } finally {
    await context.dispose();
  }
  const successes = perTask.reduce((a, b) => a + b, 0);
  const samples = tasks.length * settings.samples;
  return { perTask, rate: { tasks: tasks.length, samples, successes, rate: successes / samples, expectedRate: expected / tasks.length } };
}

export function softmax(values: readonly number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function draw(probabilities: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < probabilities.length; i++) {
    acc += probabilities[i];
    if (u < acc) return i;
  }
  return probabilities.length - 1;
}
