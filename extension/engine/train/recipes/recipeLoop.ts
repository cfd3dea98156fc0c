// The recipes compared in a closed loop on the choice-task family with a second attempt after
// feedback: the base model attempts each training task (`samples` times; after a wrong file it is
// told so and tries again), each recipe turns those attempts into training data, an adapter is
// trained per recipe with the same number of optimizer steps (the same token budget: every step is
// one 256-token window), and held-out success within two attempts is computed exactly (the mean
// probability of solving, from the model's option logits: no sampling noise) before and after.
// Seeds change the tasks, the sampled attempts and the training's random numbers.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { CladeError, cancelledError } from "../../../protocol/errors";
import { getLlamaBackend } from "../../model/backend";
import { generateTestModel } from "../../model/testModel/generateTestModel";
import { createRng, hash32 } from "../../search/rng";
import { bootstrapMean, tInterval, type Interval } from "../../util/intervals";
import { makeChoiceTasks, type ChoiceTask } from "../choiceTasks";
import { draw, optionToken, softmax } from "../closedLoop";
import { trainLora, type TrainLoraResult } from "../trainerProcess";
import { buildRecipeData, type Recipe, type RecipeData, type RecipeExample, type Trajectory } from "./recipes";

/** The environment's feedback after a wrong file, before the second attempt. */
export const RETRY_TEXT = "\nWrong file. Try again.\nOpen:";

export interface RecipeLoopOptions {
  workDir: string;
  model?: string;
  recipes: Recipe[];
  seeds: number[];
  trainTasks?: number;
  heldOutTasks?: number;
  samples?: number;
  temperature?: number;
  options?: number;
  rank?: number;
  /** Optimizer steps per adapter (the same for every recipe). */
  steps?: number;
  learningRate?: number;
  /** dpo: the DPO temperature beta. */
  beta?: number;
  threads?: number;
  trainerBinary?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface TwoAttemptRate {
  /** Mean probability of the right file at the first attempt. */
  firstAttempt: number;
  /** Mean probability of solving within two attempts (the second after "Wrong file"). */
  withinTwo: number;
  /** Per held-out task, the probability of solving within two attempts. */
  perTask: number[];
}

export interface RecipeRun {
  recipe: Recipe;
  counts: Record<string, number>;
  notes: string[];
  clusters?: RecipeData["clusters"];
  training: Pick<TrainLoraResult, "steps" | "finalLoss" | "tokensPerSecond" | "elapsedMs">;
  after: TwoAttemptRate;
}

export interface SeedRun {
  seed: number;
  trainSampling: { trajectories: number; passed: number; passedFirst: number };
  before: TwoAttemptRate;
  recipes: RecipeRun[];
}

export interface RecipeSummary {
  recipe: Recipe;
  /** Held-out success within two attempts, after minus before: bootstrap over tasks within seeds. */
  gain: Interval;
  /** The same per seed, with a t interval over the seeds. */
  gainOverSeeds: Interval;
  /** After, minus sft's after on the same tasks and seed (null for sft itself): bootstrap over tasks within seeds. */
  vsSft: Interval | null;
  /**
   * The same difference per seed, with a t interval over the seeds: training's own randomness (one
   * adapter per seed) is only seen here, and with 3 seeds it is wide.
   */
  vsSftOverSeeds: Interval | null;
  /** "better" / "worse" than sft only when both intervals exclude 0 on the same side. */
  verdict: "better than sft" | "worse than sft" | "no difference shown" | "reference" | "sft not run";
}

export interface RecipeLoopResult {
  model: string;
  settings: Required<Omit<RecipeLoopOptions, "workDir" | "model" | "trainerBinary" | "signal" | "onProgress">>;
  chanceFirst: number;
  seeds: SeedRun[];
  summary: RecipeSummary[];
  wallMs: number;
}

/** Per task: the first attempt's option probabilities and, after each wrong option, the second's. */
interface TaskPolicy {
  first: number[];
  second: Map<number, number[]>;
}

export async function runRecipeLoop(options: RecipeLoopOptions): Promise<RecipeLoopResult> {
  const started = Date.now();
  const settings = {
    recipes: options.recipes, seeds: options.seeds, trainTasks: options.trainTasks ?? 96, heldOutTasks: options.heldOutTasks ?? 100, samples: options.samples ?? 8,
    temperature: options.temperature ?? 1, options: options.options ?? 4, rank: options.rank ?? 8, steps: options.steps ?? 300, learningRate: options.learningRate ?? 1e-3,
    beta: options.beta ?? 0.1, threads: options.threads ?? 1,
  };
  if (settings.recipes.length === 0 || settings.seeds.length === 0) throw new CladeError("invalid-argument", "No recipe or no seed to compare.", "Pass --recipe all (or a name) and --seeds N.");
  const say = (message: string) => options.onProgress?.(message);
  await mkdir(options.workDir, { recursive: true });
  const modelFile = options.model ? path.resolve(options.model) : (await generateTestModel({ out: path.join(options.workDir, "toy.gguf"), seed: 11 })).file;
  const backend = await getLlamaBackend("auto", LlamaLogLevel.error);
  const model = await backend.llama.loadModel({ modelPath: modelFile, gpuLayers: 0 });
  const seeds: SeedRun[] = [];
  try {
    for (const seed of settings.seeds) {
      const trainTasks = makeChoiceTasks(settings.trainTasks, seed, settings.options);
      const heldOut = makeChoiceTasks(settings.heldOutTasks, seed + 1, settings.options, new Set(trainTasks.map((t) => t.key)));
      say(`seed ${seed}: the base model attempts ${trainTasks.length} training tasks (${settings.samples} times each, two attempts)`);
      const trainPolicies = await policies(model, trainTasks, settings, undefined);
      const trajectories = sampleTrajectories(trainTasks, trainPolicies, settings.samples, hash32(seed, 1));
      const before = rates(heldOut, await policies(model, heldOut, settings, undefined));
      const runs: RecipeRun[] = [];
      for (const recipe of settings.recipes) {
        if (options.signal?.aborted) throw cancelledError("The recipe comparison");
        const data = buildRecipeData(recipe, trajectories);
        const dir = path.join(options.workDir, `seed-${seed}`, recipe);
        await mkdir(dir, { recursive: true });
        const dataset = path.join(dir, "train.jsonl");
        const byKey = new Map(trainTasks.map((t) => [t.key, t]));
        const lines = recipe === "dpo"
          ? data.pairs.map((p) => JSON.stringify({ chosen: render(model, byKey.get(p.task)!, [...p.prefix, ...p.chosen], [...p.prefix.map(() => 0), ...p.chosen.map(() => 1)]), rejected: render(model, byKey.get(p.task)!, [...p.prefix, ...p.rejected], [...p.prefix.map(() => 0), ...p.rejected.map(() => 1)]) }))
          : data.examples.map((e: RecipeExample) => JSON.stringify(render(model, byKey.get(e.task)!, e.steps, e.weights)));
        if (lines.length === 0) throw new CladeError("training-failed", `Recipe ${recipe} built no training data from seed ${seed}'s attempts (${JSON.stringify(data.counts)}).`, "Sample more attempts per task (--samples).");
        await writeFile(dataset, `${lines.join("\n")}\n`);
        say(`seed ${seed}: ${recipe}: ${lines.length} ${recipe === "dpo" ? "pairs" : "examples"}, ${settings.steps} steps`);
        const trained = await trainLora({
          model: modelFile, dataset, output: path.join(dir, "adapter.gguf"), rank: settings.rank, epochs: Math.ceil(settings.steps / lines.length), maxSteps: settings.steps,
          learningRate: settings.learningRate, schedule: "constant", contextSize: 256, threads: settings.threads, seed, binaryPath: options.trainerBinary,
          ...(recipe === "dpo" ? { objective: "dpo" as const, beta: settings.beta } : {}),
        }, { signal: options.signal });
        const after = rates(heldOut, await policies(model, heldOut, settings, trained.adapter));
        runs.push({
          recipe, counts: data.counts, notes: data.notes, ...(data.clusters ? { clusters: data.clusters.slice(0, 8) } : {}),
          training: { steps: trained.steps, finalLoss: trained.finalLoss, tokensPerSecond: trained.tokensPerSecond, elapsedMs: trained.elapsedMs }, after,
        });
      }
      seeds.push({ seed, trainSampling: { trajectories: trajectories.length, passed: trajectories.filter((t) => t.passed).length, passedFirst: trajectories.filter((t) => t.passed && t.steps.length === 1).length }, before, recipes: runs });
    }
  } finally {
    await model.dispose();
  }
  return { model: modelFile, settings, chanceFirst: 1 / settings.options, seeds, summary: summarize(settings.recipes, seeds), wallMs: Date.now() - started };
}

/** A trajectory's tokens: the task's prompt, then each step's option token, with the retry feedback between steps; only step tokens weigh. */
function render(model: LlamaModel, task: ChoiceTask, steps: readonly string[], weights: readonly number[]): { tokens: Token[]; mask: number[] } {
  const tokens: Token[] = [...model.tokenize(task.prompt)];
  const mask: number[] = tokens.map(() => 0);
  const retry = model.tokenize(RETRY_TEXT);
  steps.forEach((step, i) => {
    if (i > 0) {
      tokens.push(...retry);
      mask.push(...retry.map(() => 0));
    }
    tokens.push(optionToken(model, step));
    mask.push(weights[i]);
  });
  return { tokens, mask };
}

/** The option probabilities at the first attempt and after each wrong first attempt (grammar-constrained to the options). */
async function policies(model: LlamaModel, tasks: readonly ChoiceTask[], settings: { temperature: number; threads: number }, adapter: string | undefined): Promise<TaskPolicy[]> {
  const context = await model.createContext({ contextSize: 256, threads: settings.threads, sequences: 1, ...(adapter ? { lora: { adapters: [{ filePath: adapter, scale: 1 }] } } : {}) });
  try {
    const sequence = context.getSequence();
    const optionProbabilities = async (tokens: Token[], optionTokens: Token[]): Promise<number[]> => {
      await sequence.clearHistory();
      const out = await sequence.controlledEvaluate([...tokens.slice(0, -1), [tokens[tokens.length - 1], { generateNext: { logits: { filter: { tokens: optionTokens } } } }]]);
      const logits = out[tokens.length - 1]?.next.logits;
      if (!logits) throw new CladeError("internal", "node-llama-cpp returned no logits for the answer position.", "Report this with the model file.");
      return softmax(optionTokens.map((t) => (logits.get(t) ?? -Infinity) / settings.temperature));
    };
    const retry = model.tokenize(RETRY_TEXT);
    const out: TaskPolicy[] = [];
    for (const task of tasks) {
      const optionTokens = task.options.map((o) => optionToken(model, o));
      const prompt = model.tokenize(task.prompt);
      const first = await optionProbabilities(prompt, optionTokens);
      const second = new Map<number, number[]>();
      for (let wrong = 0; wrong < task.options.length; wrong++) {
        if (wrong !== task.answer) second.set(wrong, await optionProbabilities([...prompt, optionTokens[wrong], ...retry], optionTokens));
      }
      out.push({ first, second });
    }
    return out;
  } finally {
    await context.dispose();
  }
}

/** Exact success probabilities: first attempt, and within two (a wrong first attempt, then the second). */
export function rates(tasks: readonly ChoiceTask[], policy: readonly TaskPolicy[]): TwoAttemptRate {
  const perTask = tasks.map((task, i) => {
    const p = policy[i];
    let solved = p.first[task.answer];
    for (const [wrong, second] of p.second) solved += p.first[wrong] * second[task.answer];
    return solved;
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { firstAttempt: mean(tasks.map((t, i) => policy[i].first[t.answer])), withinTwo: mean(perTask), perTask };
}

/** `samples` seeded attempts per task: the first; after a wrong one, "Wrong file. Try again." and a second. */
export function sampleTrajectories(tasks: readonly ChoiceTask[], policy: readonly TaskPolicy[], samples: number, seed: number): Trajectory[] {
  const rng = createRng(seed);
  const out: Trajectory[] = [];
  tasks.forEach((task, i) => {
    for (let s = 0; s < samples; s++) {
      const first = draw(policy[i].first, rng.next());
      if (first === task.answer) {
        out.push({ task: task.key, steps: [task.options[first]], passed: true });
        continue;
      }
      const second = draw(policy[i].second.get(first)!, rng.next());
      const passed = second === task.answer;
      // The failure's signature: which file the task named (what a failing test's name says).
      out.push({ task: task.key, steps: [task.options[first], task.options[second]], passed, ...(passed ? {} : { signature: `open${task.options[task.answer]}` }) });
    }
  });
  return out;
}

function summarize(recipes: readonly Recipe[], seeds: readonly SeedRun[]): RecipeSummary[] {
  const afterOf = (seed: SeedRun, recipe: Recipe) => seed.recipes.find((r) => r.recipe === recipe)!.after.perTask;
  return recipes.map((recipe, index) => {
    const gains = seeds.map((s) => afterOf(s, recipe).map((v, i) => v - s.before.perTask[i]));
    const gain = bootstrapMean(gains, { seed: hash32(index, 7) });
    const gainOverSeeds = tInterval(gains.map((g) => g.reduce((a, b) => a + b, 0) / g.length));
    if (recipe === "sft") return { recipe, gain, gainOverSeeds, vsSft: null, vsSftOverSeeds: null, verdict: "reference" as const };
    if (!recipes.includes("sft")) return { recipe, gain, gainOverSeeds, vsSft: null, vsSftOverSeeds: null, verdict: "sft not run" as const };
    const differences = seeds.map((s) => afterOf(s, recipe).map((v, i) => v - afterOf(s, "sft")[i]));
    const vsSft = bootstrapMean(differences, { seed: hash32(index, 11) });
    const vsSftOverSeeds = tInterval(differences.map((d) => d.reduce((a, b) => a + b, 0) / d.length));
    const above = vsSft.ci95[0] > 0 && vsSftOverSeeds.ci95[0] > 0;
    const below = vsSft.ci95[1] < 0 && vsSftOverSeeds.ci95[1] < 0;
    const verdict = above ? "better than sft" : below ? "worse than sft" : "no difference shown";
    return { recipe, gain, gainOverSeeds, vsSft, vsSftOverSeeds, verdict };
  });
}

/** The comparison as a table on stdout: one row per recipe (held-out success within two attempts, before → after per seed). */
export function printRecipeTable(result: RecipeLoopResult): void {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const ci = (i: Interval) => `${i.mean >= 0 ? "+" : ""}${(100 * i.mean).toFixed(1)} [${(100 * i.ci95[0]).toFixed(1)}, ${(100 * i.ci95[1]).toFixed(1)}]`;
  console.log(`held-out success within two attempts (exact), ${result.settings.steps} steps per adapter; seeds ${result.settings.seeds.join(", ")}`);
  console.log(`before: ${result.seeds.map((s) => pct(s.before.withinTwo)).join(" / ")} (first attempt ${result.seeds.map((s) => pct(s.before.firstAttempt)).join(" / ")}; chance ${pct(result.chanceFirst)})`);
  for (const row of result.summary) {
    const after = result.seeds.map((s) => pct(s.recipes.find((r) => r.recipe === row.recipe)!.after.withinTwo)).join(" / ");
    console.log(`${row.recipe.padEnd(9)} after ${after}; gain ${ci(row.gain)} pts${row.vsSft && row.vsSftOverSeeds ? `; vs sft ${ci(row.vsSft)} over tasks, ${ci(row.vsSftOverSeeds)} over seeds: ${row.verdict}` : ""}`);
  }
}
