// "Run Active Agent on a Task…" (a suite, then one of its tasks) and the Archive context action
// "Evaluate on Suite" (one version on every task of a suite). Both run through Requests.runTask in a
// cancellable withProgress and open the outcome as a Markdown document. Refused when untrusted.
import * as vscode from "vscode";
import { Requests, type TaskListEntry } from "../../protocol/engine";
import type { RunResult } from "../../protocol/run";
import type { NodeArg } from "../archive/pickNode";
import { pickNode } from "../archive/pickNode";
import { cell, fence } from "../archive/reviewMarkdown";
import type { CladeDeps } from "../deps";
import { guarded } from "../util/guarded";
import { withCancellableProgress } from "../util/withCancellableProgress";
import { pickSuite } from "./sessionCommands";
import { readSessionSettings } from "./sessionService";
import { requireTrusted, sessionParams } from "./sessionSettings";

export const RUN_TASK = "clade.runTask";
export const EVALUATE_ON_SUITE = "clade.evaluateOnSuite";

export interface RunTaskArgs {
  suite: string;
  taskIds?: string[];
  node?: string;
}

function resultsMarkdown(title: string, results: RunResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  const lines = [`# ${cell(title)}`, "", `${passed} of ${results.length} passed.`, "", "| Task | Result | Stop | Turns | Tokens | Time |", "|---|---|---|---|---|---|"];
  for (const r of results) lines.push(`| ${cell(r.taskId)} | ${r.passed ? "✅ pass" : "❌ fail"} | ${cell(r.stopReason)} | ${r.turns} | ${r.usage.promptTokens + r.usage.completionTokens} | ${(r.wallMs / 1000).toFixed(1)} s |`);
  for (const r of results) {
    lines.push("", `## ${cell(r.taskId)}`, "", `Trajectory: \`${cell(r.trajectory)}\``, "");
    if (r.summary) lines.push(`Agent's summary: ${cell(r.summary)}`, "");
    if (r.test) lines.push(`Hidden tests, exit code ${r.test.exitCode ?? "none"}:`, "", fence(r.test.output || "(no output)"));
    if (r.error) lines.push(`Error (${cell(r.error.reason)}): ${cell(r.error.message)}`);
  }
  return lines.join("\n");
}

async function runTasks(deps: CladeDeps, args: RunTaskArgs, label: string): Promise<RunResult[]> {
  requireTrusted(vscode.workspace.isTrusted, "Running an agent");
  const workspace = deps.archive.requireWorkspace();
  const settings = sessionParams(readSessionSettings(), {}, workspace, true);
  let taskIds = args.taskIds;
  if (!taskIds) {
    const tasks: TaskListEntry[] = await deps.archive.request(Requests.listTasks, { suite: args.suite, workspace, testCommand: settings.testCommand });
    taskIds = tasks.map((t) => t.id);
  }
  const ids = taskIds;
  const results = await withCancellableProgress(`Clade: ${label}`, async (handle) => {
    const info = await deps.models.ensureLoaded(handle);
    const model = { ...deps.configuration.spec(), model: info.file };
    const out: RunResult[] = [];
    for (const [i, taskId] of ids.entries()) {
      if (handle.signal.aborted) break;
      handle.onProgress({ title: label, message: `${taskId} (${i + 1}/${ids.length})`, percentage: (100 * i) / ids.length });
      out.push(await deps.archive.request(Requests.runTask, { suite: args.suite, taskId, workspace, node: args.node, model, limits: settings.limits, isolation: settings.isolation }, { signal: handle.signal }));
    }
    return out;
  });
  await deps.documents.show(label, resultsMarkdown(label, results));
  return results;
}

async function runTask(deps: CladeDeps, args?: RunTaskArgs): Promise<RunResult[] | undefined> {
  requireTrusted(vscode.workspace.isTrusted, "Running an agent");
  const workspace = deps.archive.requireWorkspace();
  const suite = args?.suite ?? (await pickSuite(workspace, "Run the active agent: which suite?"));
  if (!suite) return undefined;
  let taskIds = args?.taskIds;
  if (!taskIds) {
    const tasks = await deps.archive.request(Requests.listTasks, { suite, workspace });
    const picked = await vscode.window.showQuickPick(tasks.map((t) => ({ label: t.id, description: t.tier, detail: t.title })), { title: "Run the active agent on which task?", matchOnDetail: true });
    if (!picked) return undefined;
    taskIds = [picked.label];
  }
  const active = deps.archive.tree?.active ?? "the seed agent";
  return runTasks(deps, { suite, taskIds, node: args?.node }, `Run of ${active} on ${taskIds.join(", ")}`);
}

async function evaluateOnSuite(deps: CladeDeps, arg: NodeArg, suiteArg?: string): Promise<RunResult[] | undefined> {
  requireTrusted(vscode.workspace.isTrusted, "Evaluating a version");
  const node = await pickNode(deps.archive, arg, { title: "Evaluate which version?", filter: (n) => n.status !== "invalid" });
  if (!node) return undefined;
  const suite = suiteArg ?? (await pickSuite(deps.archive.requireWorkspace(), `Evaluate ${node.id} on which suite?`));
  if (!suite) return undefined;
  return runTasks(deps, { suite, node: node.id }, `Evaluation of ${node.id} on ${suite}`);
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_TASK, guarded(deps.log, (args?: RunTaskArgs) => runTask(deps, args))),
    vscode.commands.registerCommand(EVALUATE_ON_SUITE, guarded(deps.log, (arg: NodeArg, suite?: string) => evaluateOnSuite(deps, arg, suite))),
  );
}
