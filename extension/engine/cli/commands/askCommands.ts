// `clade ask "<instruction>"`: the active agent version works on a sandboxed copy of the workspace;
// the change is printed as a unified diff and written only with --apply. `clade asks list | apply |
// discard | save-task` review what was asked before.
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import type { AskEvent, AskParams, AskResult, AskSummary } from "../../../protocol/ask";
import { Requests, type AskApplyResult } from "../../../protocol/engine";
import { createProgress, printJson } from "../output";
import { withEngine } from "../withEngine";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";
import { addAgentRunOptions, agentRunParams, type AgentRunCliOptions, warnIfUnconfined } from "./agentRunOptions";

interface AskCliOptions extends Partial<ModelCliOptions>, AgentRunCliOptions {
  workspace: string;
  testCommand?: string;
  node?: string;
  file?: string[];
  allowCommand?: string[];
  apply?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export function registerAskCommands(program: Command): void {
  const command = program
    .command("ask")
    .argument("<instruction>", "what the agent should do, e.g. \"make the default port 8080\"")
    .description("Ask the active agent version to change your workspace: it works on a sandboxed copy; the change is shown as a diff and applied only with --apply.");
  addModelOptions(command, { modelRequired: false });
  command
    .option("--workspace <dir>", "the project to work on (its .clade/ records the ask)", process.cwd())
    .option("--test-command <cmd>", "shell command that defines done (run before and after, on copies)")
    .option("--node <id>", "archive version to ask (default: the active version, else the seed agent)")
    .option("--file <path>", "a file to point the agent at (repeatable)", (value: string, all: string[] = []) => [...all, value])
    .option("--allow-command <prefix>", "a command prefix the agent may run (repeatable; default: node and the test command's first word)", (value: string, all: string[] = []) => [...all, value])
    .option("--apply", "write the change into the workspace when there is one and the test command passes");
  addAgentRunOptions(command)
    .option("--json", "print one JSON document: the ask's result (patch, changes, run record)")
    .action(async (instruction: string, opts: AskCliOptions) => {
      await warnIfUnconfined(opts.sandbox);
      const model = opts.model ?? process.env.CLADE_MODEL;
      if (!model && !opts.scripted) throw new InvalidArgumentError("Give --model FILE (or set CLADE_MODEL), or --scripted FILE for a scripted replay.");
      const workspace = path.resolve(opts.workspace);
      const params: AskParams = {
        workspace, instruction, testCommand: opts.testCommand, node: opts.node, files: opts.file, allowCommands: opts.allowCommand, apply: opts.apply,
        model: model ? specFromOptions({ ...(opts as ModelCliOptions), model }) : undefined,
        ...agentRunParams(opts),
      };
      const progress = createProgress(!opts.json);
      const result = await withEngine({ verbose: opts.verbose }, (client, signal) => {
        if (!opts.json) client.onAskEvent((event) => printStep(event));
        return client.request(Requests.ask, params, { signal, onProgress: (p) => progress.update(p) });
      });
      progress.stop();
      if (opts.json) return printJson(result);
      printAsk(result);
      if (result.outcome === "failed" || (opts.apply && result.outcome === "proposed" && result.resolution !== "applied")) process.exitCode = 1;
    });

  const asks = program.command("asks").description("The asks of a workspace: list them, apply or discard a change, save one as a task.");
  asks
    .command("list")
    .option("--workspace <dir>", "workspace", process.cwd())
    .option("--json", "print the list as one JSON array")
    .action(async (opts: { workspace: string; json?: boolean }) => {
      const list = await withEngine({}, (client) => client.request(Requests.askList, { workspace: path.resolve(opts.workspace) }));
      if (opts.json) return printJson(list);
      if (!list.length) return console.log('No asks yet: clade ask "…" starts one.');
      for (const a of list) console.log(summaryLine(a));
    });
  asks
    .command("apply <askId>")
    .description("write a proposed change into the workspace (all or nothing; a file you changed since is a conflict, never overwritten)")
    .option("--workspace <dir>", "workspace", process.cwd())
    .option("--json", "print the result as JSON")
    .action(async (askId: string, opts: { workspace: string; json?: boolean }) => {
      const result = await withEngine({}, (client) => client.request(Requests.askApply, { workspace: path.resolve(opts.workspace), askId }));
      if (opts.json) printJson(result);
      else printApply(result);
      if (!result.ok) process.exitCode = 1;
    });
  asks
    .command("discard <askId>")
    .option("--workspace <dir>", "workspace", process.cwd())
    .option("--json", "print {discarded: id} as JSON")
    .action(async (askId: string, opts: { workspace: string; json?: boolean }) => {
      await withEngine({}, (client) => client.request(Requests.askDiscard, { workspace: path.resolve(opts.workspace), askId }));
      if (opts.json) printJson({ discarded: askId });
      else console.log(`Discarded ${askId}.`);
    });
  asks
    .command("save-task <askId>")
    .description("make an applied ask a task of .clade/tasks.yaml (start = before the change, reference = the change, its tests hidden), checked before it is written")
    .option("--workspace <dir>", "workspace", process.cwd())
    .option("--id <taskId>", "the task's id (default ask-<askId>)")
    .option("--json", "print {taskId, tasksFile} as JSON")
    .action(async (askId: string, opts: { workspace: string; id?: string; json?: boolean }) => {
      const saved = await withEngine({}, (client) => client.request(Requests.askSaveTask, { workspace: path.resolve(opts.workspace), askId, taskId: opts.id }));
      if (opts.json) printJson(saved);
      else console.log(`Saved as task ${saved.taskId} in ${saved.tasksFile} (clade tasks check --suite yaml validates it; clade evolve --suite yaml evaluates versions on it).`);
    });
}

function printStep(event: AskEvent): void {
  const r = event.record;
  const at = `${(event.atMs / 1000).toFixed(1)}s`;
  if (r.type === "tool-call") process.stderr.write(`  [${at}] ${String(r.name)} ${short(JSON.stringify(r.arguments ?? {}), 100)}\n`);
  else if (r.type === "tool-result") process.stderr.write(`  [${at}]   ${r.ok ? "ok" : "error"}: ${short(String(r.output ?? ""), 100)}\n`);
}

function printAsk(r: AskResult): void {
  console.log(`Ask ${r.askId} (version ${r.versionId}): ${r.outcome}, ${r.run.stopReason} after ${r.run.turns} turn(s); ${r.run.usage.promptTokens + r.run.usage.completionTokens} tokens, ${(r.run.wallMs / 1000).toFixed(1)} s`);
  if (r.testsBefore) console.log(`tests: before ${r.testsBefore.passed ? "pass" : "fail"}, after ${r.testsAfter?.passed ? "pass" : "fail"} (${r.testCommand})`);
  if (r.changes.length) {
    console.log(`changes (${r.changes.length} file(s)):`);
    for (const c of r.changes) console.log(`  ${c.kind.padEnd(8)} ${c.path}${c.binary ? " (binary)" : ` +${c.added} -${c.removed}`}`);
    console.log("");
    process.stdout.write(r.patch.endsWith("\n") || !r.patch ? r.patch : `${r.patch}\n`);
  }
  if (r.resolution === "applied") console.log(`Applied to ${r.workspace}.`);
  else if (r.notApplied) {
    console.log(`Not applied: ${r.notApplied}.`);
    for (const c of r.conflicts ?? []) console.log(`  conflict: ${c.path}: ${c.why}`);
  } else if (r.outcome === "proposed") console.log(`Apply with: clade asks apply ${r.askId}${path.resolve(process.cwd()) === r.workspace ? "" : ` --workspace ${r.workspace}`}   (or discard: clade asks discard ${r.askId})`);
  if (r.run.error) console.log(`error: ${r.run.error.message}`);
  console.log(`trajectory: ${r.run.trajectory}`);
}

function printApply(r: AskApplyResult): void {
  if (r.ok) console.log(`Applied: ${[...r.written.map((f) => `wrote ${f}`), ...r.deleted.map((f) => `deleted ${f}`)].join(", ") || "nothing left to write"}.`);
  else {
    console.log("Not applied: these files changed since the ask started (nothing was written):");
    for (const c of r.conflicts) console.log(`  ${c.path}: ${c.why}`);
  }
}

function summaryLine(a: AskSummary): string {
  const tests = a.testCommand ? ` tests ${a.testsBefore ? "pass" : "fail"}→${a.testsAfter ? "pass" : "fail"}` : "";
  return `${a.askId}  ${a.at.slice(0, 19).replace("T", " ")}  ${a.versionId.padEnd(5)} ${(a.resolution ?? a.outcome).padEnd(9)} ${a.changedFiles} file(s)${tests}${a.savedAs ? ` task:${a.savedAs}` : ""}  ${short(a.instruction, 60)}`;
}

function short(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ");
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
