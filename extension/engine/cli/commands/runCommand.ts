// `clade run --suite S --task T --model F [--node N]`: one agent version on one task, scored.
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { Requests, type RunTaskParams } from "../../../protocol/engine";
import type { RunResult } from "../../../protocol/run";
import { createProgress, printJson } from "../output";
import { withEngine } from "../withEngine";
import { addAgentRunOptions, agentRunParams, type AgentRunCliOptions, warnIfUnconfined } from "./agentRunOptions";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";

interface RunCliOptions extends Partial<ModelCliOptions>, AgentRunCliOptions {
  suite: string;
  task: string;
  node?: string;
  workspace: string;
  json?: boolean;
  verbose?: boolean;
}

export function registerRunCommand(program: Command): void {
  const command = program.command("run").description("Run one agent version on one task in a sandbox and score it with the task's hidden tests.");
  addModelOptions(command, { modelRequired: false });
  command
    .requiredOption("--suite <suite>", "builtin, a Polyglot-format folder, repo:PATH, or yaml")
    .requiredOption("--task <id>", "task id (see `clade tasks list`)")
    .option("--node <id>", "archive version to run (default: the active version)")
    .option("--workspace <dir>", "workspace whose .clade/ receives the trajectory", process.cwd());
  addAgentRunOptions(command)
    .option("--json", "print the RunResult as JSON")
    .action(async (opts: RunCliOptions) => {
      if (!opts.scripted) await warnIfUnconfined(opts.sandbox);
      if (!opts.model && !opts.scripted) throw new InvalidArgumentError("Give --model FILE (or --scripted FILE for a scripted replay).");
      const params: RunTaskParams = {
        suite: opts.suite, taskId: opts.task, node: opts.node, workspace: path.resolve(opts.workspace),
        model: opts.model ? specFromOptions(opts as ModelCliOptions) : undefined,
        ...agentRunParams(opts),
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
