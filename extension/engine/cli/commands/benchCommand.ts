// `clade bench NAME --json`: benchmarks that report ratios against a reference measured in the same
// run (BENCH.md). One JSON object per benchmark.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, type Command } from "commander";
import { benchArchive } from "../../bench/benchArchive";
import { benchHarness } from "../../bench/benchHarness";
import { benchInference } from "../../bench/benchInference";
import { benchPrefixReuse } from "../../bench/benchPrefixReuse";
import type { BenchReport } from "../../bench/benchReport";
import type { BenchArchitecture } from "../../bench/benchModels";
import { benchSearch } from "../../search/simulate/benchSearch";
import { benchTrain } from "../../train/benchTrain";
import { CladeError } from "../../../protocol/errors";
import { runClosedLoop } from "../../train/closedLoop";
import { RECIPES, isRecipe, type Recipe } from "../../train/recipes/recipes";
import { printRecipeTable, runRecipeLoop } from "../../train/recipes/recipeLoop";
import { printJson } from "../output";
import { floatOption, intOption } from "../parse";

/** --json: one JSON document, an array of reports (every command's --json prints exactly one document). */
function print(reports: BenchReport[], json: boolean | undefined): void {
  if (json) return printJson(reports);
  for (const r of reports) {
    console.log(`${r.name}: measured ${r.measured} ${r.unit}, reference ${r.reference ?? "—"}, ratio ${r.ratio ?? "—"} (${r.repetitions} reps)${r.goal ? `; goal ${r.goal}` : ""}`);
  }
}

const enginePath = () => fileURLToPath(new URL("./engine.mjs", import.meta.url));
const presets = ["toy", "qwen2.5-0.5b"] as const;

function modelsOption(value: string): (typeof presets)[number][] {
  const names = value.split(",").map((name) => name.trim());
  for (const name of names) if (!presets.includes(name as (typeof presets)[number])) throw new InvalidArgumentError(`--models takes ${presets.join(", ")} (comma-separated), got "${name}".`);
  return names as (typeof presets)[number][];
}

function architectureOption(value: string): BenchArchitecture {
  if (value !== "qwen2" && value !== "llama") throw new InvalidArgumentError(`--architecture takes qwen2 or llama, got "${value}".`);
  return value;
}

function parallelOption(value: string): number[] {
  const list = value.split(",").map(Number);
  if (!list.every((n) => Number.isInteger(n) && n >= 1 && n <= 64)) throw new InvalidArgumentError(`--parallel takes whole numbers from 1 to 64 (comma-separated), got "${value}".`);
  return list;
}

interface InferenceCliOptions {
  models: (typeof presets)[number][];
  repetitions: number;
  turns: number;
  maxTokens: number;
  threads: number;
  architecture: BenchArchitecture;
  json?: boolean;
}

const ARCHITECTURE_HELP = "GGUF architecture of the generated models: qwen2 (node-llama-cpp's Qwen chat wrapper, as for a real Qwen2.5) or llama (same weights; node-llama-cpp renders the Jinja template instead)";

/** What both inference benchmarks take from their command line. */
function inferenceOptions(opts: InferenceCliOptions) {
  const { models, repetitions, turns, maxTokens, threads, architecture } = opts;
  return { enginePath: enginePath(), models, repetitions, turns, maxTokens, threads, architecture, log: (line: string) => process.stderr.write(`${line}\n`) };
}

function registerInferenceBenches(bench: Command): void {
  bench
    .command("inference")
    .description("Aggregate generated tokens/s of P concurrent agent-shaped runs through the engine, as a ratio to node-llama-cpp alone; engine RSS against node-llama-cpp alone.")
    .option("--models <names>", "generated models: toy, qwen2.5-0.5b", modelsOption, ["toy", "qwen2.5-0.5b"])
    .option("--parallel <list>", "concurrent runs (sequences), comma-separated", parallelOption, [1, 2, 4])
    .option("--repetitions <n>", "interleaved repetitions per P (at least)", intOption("--repetitions", 1, 1000), 3)
    .option("--min-seconds <n>", "more repetitions (up to 60) until each side has run this long per P", intOption("--min-seconds", 0, 600), 3)
    .option("--turns <n>", "tool-call turns per run", intOption("--turns", 1, 100), 3)
    .option("--max-tokens <n>", "most tokens per turn", intOption("--max-tokens", 1, 4096), 48)
    .option("--threads <n>", "llama.cpp threads (1 measured fastest on 2 shared cores; see PERFORMANCE.md)", intOption("--threads", 1, 256), 1)
    .option("--architecture <name>", ARCHITECTURE_HELP, architectureOption, "qwen2")
    .option("--json", "print JSON")
    .action(async (opts: InferenceCliOptions & { parallel: number[]; minSeconds: number }) =>
      print(await benchInference({ ...inferenceOptions(opts), parallel: opts.parallel, minSeconds: opts.minSeconds }), opts.json),
    );

  bench
    .command("prefix-reuse")
    .description("Time to first token of turns 2+ of an agent run, and of later runs sharing the system prompt and tools, as a ratio to a cold turn 1.")
    .option("--models <names>", "generated models: toy, qwen2.5-0.5b", modelsOption, ["toy", "qwen2.5-0.5b"])
    .option("--repetitions <n>", "repetitions (each starts from a fresh context)", intOption("--repetitions", 1, 1000), 3)
    .option("--turns <n>", "tool-call turns per run", intOption("--turns", 2, 100), 4)
    .option("--max-tokens <n>", "most tokens per turn", intOption("--max-tokens", 1, 4096), 48)
    .option("--threads <n>", "llama.cpp threads", intOption("--threads", 1, 256), 1)
    .option("--architecture <name>", ARCHITECTURE_HELP, architectureOption, "qwen2")
    .option("--json", "print JSON")
    .action(async (opts: InferenceCliOptions) =>
      print(await benchPrefixReuse(inferenceOptions(opts)), opts.json),
    );
}

export function registerBenchCommand(program: Command): void {
  const bench = program.command("bench").description("Benchmarks, each reported as a ratio against a reference measured in the same run.");
  registerInferenceBenches(bench);

  bench
    .command("harness")
    .description("Harness overhead of one task evaluation over the bare test command; sandbox create + cleanup time.")
    .option("--repetitions <n>", "interleaved repetitions", intOption("--repetitions", 1, 1000), 10)
    .option("--task <id>", "built-in task to evaluate", "t0-subtract-order")
    .option("--json", "print JSON")
    .action(async (opts: { repetitions: number; task: string; json?: boolean }) => print(await benchHarness({ repetitions: opts.repetitions, taskId: opts.task }), opts.json));

  bench
    .command("distributed")
    .description("Evaluations/minute with 1, 2, 4 `clade worker`s on a Redis queue vs in-process, and the queue's added latency per evaluation (needs redis-server).")
    .option("--tasks <n>", "T0 tasks per configuration", intOption("--tasks", 2, 10), 8)
    .option("--threads <n>", "llama.cpp threads per process", intOption("--threads", 1, 64), 1)
    .option("--json", "print JSON")
    .action(async (opts: { tasks: number; threads: number; json?: boolean }) => {
      const { benchDistributed } = await import("../../bench/benchDistributed");
      print(await benchDistributed({ cliPath: fileURLToPath(new URL("./cli.mjs", import.meta.url)), tasks: opts.tasks, threads: opts.threads, log: (line) => process.stderr.write(`bench distributed: ${line}\n`) }), opts.json);
    });

  bench
    .command("archive")
    .description("Replay of a 10,000-node archive, one parent selection, one fsync'd event append (absolute, with sizes).")
    .option("--nodes <n>", "archive size", intOption("--nodes", 10, 1_000_000), 10_000)
    .option("--json", "print JSON")
    .action(async (opts: { nodes: number; json?: boolean }) => print(await benchArchive({ nodes: opts.nodes }), opts.json));

  bench
    .command("search")
    .description("Task evaluations each search strategy needs to reach a target true quality on synthetic landscapes (no LLM), as a ratio to dgm.")
    .option("--seeds <n>", "landscapes (seeds)", intOption("--seeds", 1, 100_000), 200)
    .option("--json", "print JSON")
    .action(async (opts: { seeds: number; json?: boolean }) => {
      const result = benchSearch({ seeds: opts.seeds });
      if (opts.json) return printJson(result);
      console.log(JSON.stringify(result, null, 2));
    });

  bench
    .command("train")
    .description("LoRA training tokens/s and peak RSS (Clade's trainer) vs the forward pass alone on the same model and windows (generated toy and Qwen2.5-0.5B-shaped models).")
    .option("--presets <list>", "comma-separated: toy, qwen2.5-0.5b", "toy,qwen2.5-0.5b")
    .option("--steps <n>", "optimizer steps (windows) per model (default: 40 toy, 2 qwen2.5-0.5b)", intOption("--steps", 1, 100_000))
    .option("--context-size <n>", "window in tokens", intOption("--context-size", 16, 1 << 16), 256)
    .option("--threads <n>", "CPU threads", intOption("--threads", 1, 1024), 1)
    .option("--runs <n>", "runs per model (figures are medians)", intOption("--runs", 1, 100), 3)
    .option("--micro-batch <n>", "the trainer's micro-batch (default: the trainer's)", intOption("--micro-batch", 1, 1 << 16))
    .option("--json", "print JSON")
    .action(async (opts: { presets: string; steps?: number; contextSize: number; threads: number; runs: number; microBatch?: number; json?: boolean }) => {
      const presets = opts.presets.split(",").map((p) => p.trim()) as ("toy" | "qwen2.5-0.5b")[];
      print(await benchTrain({ presets, steps: opts.steps, contextSize: opts.contextSize, threads: opts.threads, runs: opts.runs, microBatch: opts.microBatch, cwd: path.dirname(path.dirname(enginePath())), onProgress: opts.json ? undefined : (m) => console.error(m) }), opts.json);
    });

  bench
    .command("closed-loop")
    .description("STaR-style closed loop on the generated toy model: sample answers to synthetic tasks, train an adapter on the successes, compare held-out success rates before and after.")
    .option("--train-tasks <n>", "training tasks", intOption("--train-tasks", 1, 100_000), 96)
    .option("--heldout-tasks <n>", "held-out tasks", intOption("--heldout-tasks", 1, 100_000), 100)
    .option("--samples <n>", "attempts sampled per task", intOption("--samples", 1, 10_000), 8)
    .option("--temperature <t>", "sampling temperature", floatOption("--temperature", 0.01, 100), 1)
    .option("--epochs <n>", "training epochs", intOption("--epochs", 1, 1000), 6)
    .option("--seed <n>", "seed of tasks, sampling and training", intOption("--seed", 0), 1)
    .option("--unmasked", "train on every token (prompts too), not only on the answer token")
    .option("--recipe <name>", `compare learning recipes (${RECIPES.join(", ")}, or all) on the family with a second attempt after feedback, each trained with the same number of steps`)
    .option("--seeds <n>", "with --recipe: seeds 1..n (tasks, attempts and training differ per seed)", intOption("--seeds", 1, 100), 3)
    .option("--steps <n>", "with --recipe: optimizer steps per adapter (every recipe the same)", intOption("--steps", 1, 1_000_000), 300)
    .option("--lr <x>", "with --recipe: learning rate (constant)", floatOption("--lr", 1e-9, 1))
    .option("--beta <x>", "with --recipe dpo: the implicit reward's temperature", floatOption("--beta", 1e-4, 100))
    .option("--work-dir <dir>", "where the model, data and adapter are written (default: a temporary folder, removed)")
    .option("--json", "print JSON")
    .action(async (opts: { trainTasks: number; heldoutTasks: number; samples: number; temperature: number; epochs: number; seed: number; unmasked?: boolean; workDir?: string; json?: boolean; recipe?: string; seeds: number; steps: number; lr?: number; beta?: number }) => {
      const workDir = opts.workDir ?? (await mkdtemp(path.join(os.tmpdir(), "clade-closed-loop-")));
      try {
        if (opts.recipe !== undefined) {
          const recipes = opts.recipe === "all" ? [...RECIPES] : opts.recipe.split(",").map((r) => r.trim());
          const unknown = recipes.filter((r) => !isRecipe(r));
          if (unknown.length) throw new CladeError("invalid-argument", `Unknown recipe ${unknown.join(", ")}.`, `Use one of ${RECIPES.join(", ")}, a comma-separated list, or all.`);
          const result = await runRecipeLoop({
            workDir, recipes: recipes as Recipe[], seeds: Array.from({ length: opts.seeds }, (_, i) => opts.seed + i), trainTasks: opts.trainTasks, heldOutTasks: opts.heldoutTasks,
            samples: opts.samples, temperature: opts.temperature, steps: opts.steps, learningRate: opts.lr, beta: opts.beta, onProgress: opts.json ? undefined : (m) => console.error(m),
          });
          if (opts.json) return printJson(result);
          return printRecipeTable(result);
        }
        const result = await runClosedLoop({
          workDir, trainTasks: opts.trainTasks, heldOutTasks: opts.heldoutTasks, samples: opts.samples, temperature: opts.temperature, epochs: opts.epochs, seed: opts.seed, maskPrompts: !opts.unmasked,
          onProgress: opts.json ? undefined : (m) => console.error(m),
        });
        if (opts.json) return printJson(result);
        const b = result.heldOutBefore;
        const a = result.heldOutAfter;
        console.log(`held-out success: ${b.successes}/${b.samples} (${(100 * b.rate).toFixed(1)}%) before -> ${a.successes}/${a.samples} (${(100 * a.rate).toFixed(1)}%) after; chance ${(100 * result.chanceRate).toFixed(0)}%`);
        console.log(`trained on ${result.trainSampling.examples} successes (${result.training.steps} steps, final loss ${result.training.finalLoss.toFixed(3)}, ${Math.round(result.training.tokensPerSecond)} tok/s, loss on ${result.settings.maskPrompts ? "answer tokens" : "every token"}) in ${Math.round(result.wallMs / 1000)} s`);
      } finally {
        if (!opts.workDir) await rm(workDir, { recursive: true, force: true });
      }
    });
}
