// `clade run --suite S --task T --model F [--node N]`: one agent version on one task, scored.
import { readFileSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { Requests, type RunTaskParams } from "../../../protocol/engine";
import type { RunResult } from "../../../protocol/run";
import { createProgress, printJson } from "../output";
import { floatOption, intOption } from "../parse";
import { withEngine } from "../withEngine";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";

interface RunCliOptions extends Partial<ModelCliOptions> {
  suite: string;
  task: string;
  node?: string;
  workspace: string;
  scripted?: RunTaskParams["scripted"];
  maxTurns?: number;
  maxTokens?: number;
  timeout?: number;
  sandbox?: "process" | "bwrap";
  temperature?: number;
  seed?: number;
  json?: boolean;
  verbose?: boolean;
}

/** --scripted FILE: a JSON array of scripted replies. */
export function readScripted(file: string): RunTaskParams["scripted"] {
  try {
    const replies = JSON.parse(readFileSync(file, "utf8"));
    if (!Array.isArray(replies)) throw new Error("not a JSON array");
    return replies;
  } catch (error) {
    throw new InvalidArgumentError(`--scripted must name a JSON file holding an array of replies ({"toolCall":{"name","arguments"}} or {"text"}): ${(error as Error).message}`);
  }
}

export function registerRunCommand(program: Command): void {
  const command = program.command("run").description("Run one agent version on one task in a sandbox and score it with the task's hidden tests.");
  addModelOptions(command, { modelRequired: false });
  command
    .requiredOption("--suite <suite>", "builtin, a Polyglot-format folder, repo:PATH, or yaml")
    .requiredOption("--task <id>", "task id (see `clade tasks list`)")
    .option("--node <id>", "archive version to run (default: the active version)")
    .option("--workspace <dir>", "workspace whose .clade/ receives the trajectory", process.cwd())
    .option("--scripted <file>", "replay a SCRIPTED list of model replies instead of a model (deterministic)", readScripted)
    .option("--max-turns <n>", "turn limit", intOption("--max-turns", 1, 1000))
    .option("--max-tokens <n>", "token limit for the run", intOption("--max-tokens", 100, 10_000_000))
    .option("--timeout <seconds>", "wall-clock limit", intOption("--timeout", 1, 86_400))
    .addOption(new Option("--sandbox <mode>", "how commands are confined: process (process group, scrubbed env) or bwrap (bubblewrap, no network)").choices(["process", "bwrap"]).default("process"))
    .option("--temperature <t>", "sample every model call at this temperature (0: greedy, reproducible), whatever the version's settings say", floatOption("--temperature", 0, 2))
    .option("--seed <n>", "sampling seed for every model call", intOption("--seed", 0, 2 ** 31 - 1))
    .option("--json", "print the RunResult as JSON")
    .action(async (opts: RunCliOptions) => {
      if (!opts.model && !opts.scripted) throw new InvalidArgumentError("Give --model FILE (or --scripted FILE for a scripted replay).");
      const params: RunTaskParams = {
        suite: opts.suite, taskId: opts.task, node: opts.node, workspace: path.resolve(opts.workspace),
        model: opts.model ? specFromOptions(opts as ModelCliOptions) : undefined,
        scripted: opts.scripted,
        isolation: opts.sandbox,
        ...(opts.temperature !== undefined || opts.seed !== undefined ? { sampling: { temperature: opts.temperature, seed: opts.seed } } : {}),
        limits: { ...(opts.maxTurns ? { maxTurns: opts.maxTurns } : {}), ...(opts.maxTokens ? { maxTokens: opts.maxTokens } : {}), ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}) },
      };
      const progress = createProgress(!opts.json);
      const result = await withEngine({ verbose: opts.verbose }, (client, signal) => client.request(Requests.runTask, params, { signal, onProgress: (p) => progress.update(p) }));
      progress.stop();
      if (opts.json) return printJson(result);
      printRun(result);
    });
}

function printRun(r: RunResult): void {
  console.log(`${r.passed ? "PASS" : "FAIL"} ${r.suite}/${r.taskId} with version ${r.versionId}: ${r.stopReason} after ${r.turns} turn(s)`);
  console.log(`tokens: ${r.usage.promptTokens} prompt (${r.usage.cachedPromptTokens} cached), ${r.usage.completionTokens} generated; ${r.llmCalls} model calls, ${r.modelMs} ms model, ${r.wallMs} ms total`);
  if (r.test) console.log(`tests: exit ${r.test.exitCode}${r.test.testsPassed !== undefined ? `, ${r.test.testsPassed} passed, ${r.test.testsFailed} failed` : ""}`);
  if (r.error) console.log(`error: ${r.error.message}`);
  console.log(`trajectory: ${r.trajectory}`);
}
