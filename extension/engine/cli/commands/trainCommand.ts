// `clade train --workspace W --model F [--from NODE] [--all] [--rank --epochs --lr ...] [--json]`:
// trains a LoRA adapter on the archive's passed runs, adds it as a child version (same scaffold,
// new adapter) and evaluates it like any version.
import path from "node:path";
import { Option, type Command } from "commander";
import { Requests, type TrainParams, type TrainResult } from "../../../protocol/engine";
import type { TrainerBackendInfo } from "../../../protocol/model";
import { createProgress, printJson } from "../output";
import { floatOption, intOption } from "../parse";
import { withEngine } from "../withEngine";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";
import { SANDBOX_MODES, type SandboxMode } from "../../../protocol/sandbox";
import { warnIfUnconfined } from "./agentRunOptions";
import { isRemoteModel } from "../../model/remote/remoteSpec";
import { RECIPES, RECIPE_SUMMARIES, type Recipe } from "../../train/recipes/recipes";

interface TrainCliOptions extends ModelCliOptions {
  workspace: string;
  from?: string;
  all?: boolean;
  rank?: number;
  alpha?: number;
  epochs?: number;
  lr?: number;
  maxSteps?: number;
  trainContext?: number;
  seed?: number;
  evalTasks?: number;
  maxTurns?: number;
  sandbox?: SandboxMode;
  recipe: Recipe;
  beta?: number;
  json?: boolean;
  verbose?: boolean;
}

export function registerTrainCommand(program: Command): void {
  addModelOptions(program.command("train").description("Train a LoRA adapter on the archive's runs with a recipe (default sft: passed runs), add it as a new version (same scaffold, new weights) and evaluate it."))
    .option("--workspace <dir>", "workspace whose .clade/ holds the archive", process.cwd())
    .option("--from <node>", "parent version (default: the active version, else the one with the most passes)")
    .option("--all", "train on every version's runs (default: the parent's clade)")
    .addOption(new Option("--recipe <name>", `which examples: ${RECIPES.map((r) => `${r} (${RECIPE_SUMMARIES[r]})`).join("; ")}`).choices([...RECIPES]).default("sft"))
    .option("--beta <x>", "dpo: the implicit reward's temperature (default 0.1)", floatOption("--beta", 1e-4, 100))
    .option("--rank <n>", "LoRA rank (default 8)", intOption("--rank", 1, 1024))
    .option("--alpha <x>", "LoRA alpha (default 2 x rank)", floatOption("--alpha", 0, 1e6))
    .option("--epochs <n>", "epochs (default 2)", intOption("--epochs", 1, 10_000))
    .option("--lr <x>", "learning rate (default 1e-3, cosine schedule)", floatOption("--lr", 0, 10))
    .option("--max-steps <n>", "stop after this many optimizer steps", intOption("--max-steps", 1, 10_000_000))
    .option("--train-context <n>", "training window in tokens; longer examples lose early turns, then are dropped (default: fitted to the longest example, at most the model context or 4096)", intOption("--train-context", 16, 1 << 20))
    .option("--seed <n>", "seed of the split and the adapter's initialisation", intOption("--seed", 0))
    .option("--eval-tasks <n>", "tasks to evaluate the new version on (default: as many as its parent; 0 = none)", intOption("--eval-tasks", 0, 100_000))
    .option("--max-turns <n>", "turn limit of each evaluation run", intOption("--max-turns", 1, 1000))
    .addOption(new Option("--sandbox <mode>", "how agent commands and tests are confined: auto (the strongest here: bwrap, else unshare, else sandbox-exec on macOS, else process with a warning), bwrap, unshare, sandbox-exec, process").choices([...SANDBOX_MODES]).default("auto"))
    .option("--json", "print the result as JSON")
    .action(async (opts: TrainCliOptions) => {
      await warnIfUnconfined(opts.sandbox);
      const params: TrainParams = {
        workspace: path.resolve(opts.workspace), model: specFromOptions(opts), from: opts.from, allRuns: opts.all,
        rank: opts.rank, alpha: opts.alpha, epochs: opts.epochs, learningRate: opts.lr, maxSteps: opts.maxSteps, contextSize: opts.trainContext,
        seed: opts.seed, threads: opts.threads || undefined, recipe: opts.recipe, beta: opts.beta, evalTasks: opts.evalTasks, limits: opts.maxTurns ? { maxTurns: opts.maxTurns } : undefined, isolation: opts.sandbox,
      };
      const progress = createProgress(!opts.json);
      const result = await withEngine({ verbose: opts.verbose }, async (client, signal) => {
        // Which backend trains, said before anything is loaded (an explicit GPU whose trainer is not built fails here).
        if (!isRemoteModel(params.model.model)) {
          const trainer = await client.request(Requests.trainerBackend, { gpu: params.model.gpu, gpuLayers: params.model.gpuLayers }, { signal });
          if (!opts.json) process.stderr.write(`${trainingOnLine(trainer)}\n`);
        }
        return client.request(Requests.train, params, { signal, onProgress: (p) => progress.update(p) });
      });
      progress.stop();
      if (opts.json) return printJson(result);
      printTrain(result);
    });
}

/** `clade train`'s first line: "training on cuda (…why…)". */
export function trainingOnLine(trainer: Pick<TrainerBackendInfo, "backend" | "reason">): string {
  return `training on ${trainer.backend} (${trainer.reason})`;
}

function printTrain(r: TrainResult): void {
  const t = r.training as { recipe?: string; datasetHash?: string; trainExamples?: number; steps?: number; finalLoss?: number; tokensPerSecond?: number; backend?: string; warnings?: string[] };
  for (const warning of t.warnings ?? []) console.log(`warning (trainer): ${warning}`);
  console.log(`adapter version ${r.nodeId} (child of ${r.parentId}): adapter ${r.adapterHash.slice(0, 12)} at ${r.adapterFile}`);
  console.log(`recipe ${t.recipe ?? "sft"}, dataset ${t.datasetHash?.slice(0, 12)}: ${t.trainExamples} ${t.recipe === "dpo" ? "pairs" : "examples"}; ${t.steps} steps, final loss ${t.finalLoss?.toFixed(4)}, ${Math.round(t.tokensPerSecond ?? 0)} tokens/s${t.backend ? ` on ${t.backend}` : ""}`);
  if (r.evaluation) {
    const e = r.evaluation;
    console.log(`evaluation: ${e.passed}/${e.evaluated} passed (parent ${r.parentId} on the same tasks: ${e.parentPassed}/${e.parentEvaluated}). Review with \`clade show ${r.nodeId}\`, then \`clade accept ${r.nodeId}\`.`);
  }
}
