// `clade evolve --workspace W --suite S --model F --strategy S --budget-evals N [--parallel P] [--seed S]`:
// a self-improvement session in the engine. Killed at any point, the same command resumes it.
import path from "node:path";
import { Option, type Command } from "commander";
import { Requests, type EvolveParams } from "../../../protocol/engine";
import { createProgress, printJson } from "../output";
import { floatOption, intOption, listOption } from "../parse";
import { withEngine } from "../withEngine";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";
import { SANDBOX_MODES, type SandboxMode } from "../../../protocol/sandbox";
import { warnIfUnconfined } from "./agentRunOptions";

interface EvolveCliOptions extends ModelCliOptions {
  workspace: string;
  suite: string;
  tasks?: string[];
  strategy: EvolveParams["strategy"];
  budgetEvals: number;
  budgetTokens?: number;
  budgetMinutes?: number;
  budgetExpansions?: number;
  parallel: number;
  seed: number;
  maxTurns?: number;
  gateTasks?: number;
  targetClusters?: boolean;
  trainEvery?: number;
  temperature?: number;
  sandbox?: SandboxMode;
  queue?: string;
  queueJobTimeoutMs?: number;
  queueNoWorkerMs?: number;
  json?: boolean;
  verbose?: boolean;
}

export function registerEvolveCommand(program: Command): void {
  addModelOptions(program.command("evolve").description("Run (or resume) a self-improvement session: the agent diagnoses its failures, edits its own scaffold, and every version is validated, evaluated and archived."))
    .option("--workspace <dir>", "workspace whose .clade/ holds the archive", process.cwd())
    .option("--suite <suite>", "builtin, a Polyglot-format folder, repo:PATH, or yaml", "builtin")
    .option("--tasks <ids>", "only these tasks of the suite (comma-separated ids)", listOption)
    .addOption(new Option("--strategy <name>", "search strategy").choices(["hgm", "dgm", "greedy", "random"]).default("hgm"))
    .requiredOption("--budget-evals <n>", "task evaluations to spend (across resumes)", intOption("--budget-evals", 1, 10_000_000))
    .option("--budget-tokens <n>", "stop after this many tokens", intOption("--budget-tokens", 1, Number.MAX_SAFE_INTEGER))
    .option("--budget-minutes <n>", "stop after this many minutes", intOption("--budget-minutes", 1, 1_000_000))
    .option("--budget-expansions <n>", "self-edits to start at most (default: max(10, budget-evals))", intOption("--budget-expansions", 1, 10_000_000))
    .option("--parallel <n>", "jobs at once on the shared model", intOption("--parallel", 1, 64), 1)
    .option("--seed <n>", "seed for the search and task order", intOption("--seed", 0), 0)
    .option("--max-turns <n>", "turn limit of each agent run", intOption("--max-turns", 1, 1000))
    .option("--gate-tasks <n>", "tasks (T0 first) on which a new version must do at least as well as its parent before it is evaluated (default: 3)", intOption("--gate-tasks", 0, 1000))
    .option("--target-clusters", "self-edits target the failure clusters the parent fails most (`clade failures`), not a uniformly drawn failed run (DGM)")
    .option("--temperature <t>", "sample every model call at this temperature (0: greedy), whatever the versions' settings say", floatOption("--temperature", 0, 2))
    .addOption(new Option("--sandbox <mode>", "how agent commands and tests are confined: auto (the strongest here: bwrap, else unshare, else sandbox-exec on macOS, else process with a warning), bwrap, unshare, sandbox-exec, process").choices([...SANDBOX_MODES]).default("auto"))
    .option("--train-every <k>", "train a LoRA adapter version after every K passed runs (needs --parallel 1)", intOption("--train-every", 1, 1_000_000))
    .option("--queue <redis-url>", "run evaluations on `clade worker`s of this queue (redis://HOST:PORT) instead of in-process; set --parallel to the workers' total slots")
    .option("--queue-job-timeout-ms <ms>", "abandon and re-queue a queued evaluation not finished after this long (default: run timeout + 5 min)", intOption("--queue-job-timeout-ms", 100, 86_400_000))
    .option("--queue-no-worker-ms <ms>", "fail a queued evaluation no worker can take after this long (default 10 min)", intOption("--queue-no-worker-ms", 100, 86_400_000))
    .option("--json", "print the session summary as JSON")
    .action(async (opts: EvolveCliOptions) => {
      await warnIfUnconfined(opts.sandbox);
      const params: EvolveParams = {
        workspace: path.resolve(opts.workspace), suite: opts.suite, ...(opts.tasks ? { taskIds: opts.tasks } : {}), strategy: opts.strategy, seed: opts.seed, parallel: opts.parallel,
        budgetEvaluations: opts.budgetEvals, budgetTokens: opts.budgetTokens, budgetWallMs: opts.budgetMinutes ? opts.budgetMinutes * 60_000 : undefined, budgetExpansions: opts.budgetExpansions,
        model: specFromOptions(opts), limits: opts.maxTurns ? { maxTurns: opts.maxTurns } : undefined, gateTasks: opts.gateTasks, targetClusters: opts.targetClusters, isolation: opts.sandbox, trainEvery: opts.trainEvery,
        ...(opts.temperature !== undefined ? { sampling: { temperature: opts.temperature } } : {}),
        ...(opts.queue ? { queue: opts.queue, queueJobTimeoutMs: opts.queueJobTimeoutMs, queueNoWorkerMs: opts.queueNoWorkerMs } : {}),
      };
      const progress = createProgress(!opts.json);
      const result = await withEngine({ verbose: opts.verbose }, (client, signal) => client.request(Requests.evolve, params, { signal, onProgress: (p) => progress.update(p) }));
      progress.stop();
      if (opts.json) return printJson(result);
      console.log(`session ${result.sessionId}${result.resumed ? " (resumed)" : ""}: ${result.stopReason}; ${result.evaluationsDone} evaluations + ${result.gateRuns} gate runs of ${result.budget}, ${result.nodes} version${result.nodes === 1 ? "" : "s"} (${result.invalidNodes} invalid), ${result.tokens} tokens, ${Math.round(result.elapsedMs / 1000)} s${result.stopMessage ? `\n  ${result.stopMessage}` : ""}`);
      console.log(`final pick: ${result.finalPick ?? "—"}${result.best ? ` (${result.best.passed}/${result.best.evaluated})` : ""}. Review it with \`clade diff ${result.finalPick ?? "N"}\`, then \`clade accept\`.`);
    });
}
