// "Start Self-Improvement Session…" (quick picks: suite, strategy, budget, parallelism), "Stop
// Session" and "Resume Session" (the archive's last session again: its suite, strategy and seed).
// A test or another command may pass the choices and skip the picks.
import fs from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { EvolveResult } from "../../protocol/engine";
import type { CladeDeps } from "../deps";
import { guarded } from "../util/guarded";
import { readSessionSettings } from "./sessionService";
import { budgetPrompt, requireTrusted, STRATEGIES, type SessionChoices, type Strategy } from "./sessionSettings";

export const START_SESSION = "clade.startSession";
export const STOP_SESSION = "clade.stopSession";
export const RESUME_SESSION = "clade.resumeSession";

type Pick<T> = vscode.QuickPickItem & { value: () => Promise<T | undefined> | T | undefined };

export async function pickSuite(workspace: string, title = "Session (1/5): which tasks?"): Promise<string | undefined> {
  const items: Pick<string>[] = [
    { label: "$(beaker) Built-in tasks", description: "builtin", detail: "Small coding tasks shipped with Clade: a quick first session.", value: () => "builtin" },
    { label: "$(git-commit) This repository's history", description: `repo:${workspace}`, detail: "Tasks mined from past commits of this repo, checked with your test command (clade.tests.command).", value: () => `repo:${workspace}` },
    { label: "$(file-code) tasks.yaml", description: ".clade/tasks.yaml or a file", detail: "Your own tasks in YAML.", value: async () => {
      if (fs.existsSync(path.join(workspace, ".clade", "tasks.yaml"))) return "yaml";
      const file = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { "Tasks file": ["yaml", "yml"] }, title: "Choose a tasks.yaml" });
      return file?.[0]?.fsPath;
    } },
    { label: "$(folder) Polyglot folder…", description: "Exercism-format exercises", detail: "A folder of Polyglot/Exercism exercises.", value: async () => {
      const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: "Choose a Polyglot (Exercism-format) folder" });
      return folder?.[0]?.fsPath;
    } },
  ];
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true });
  return picked?.value();
}

async function pickChoices(workspace: string, usage?: { evaluations: number; wallMs: number }): Promise<SessionChoices | undefined> {
  const raw = readSessionSettings();
  const settings = { strategy: raw.strategy, budgetEvaluations: typeof raw.budgetEvaluations === "number" ? raw.budgetEvaluations : 20, parallel: raw.parallel };
  const suite = await pickSuite(workspace);
  if (!suite) return undefined;
  const strategy = await vscode.window.showQuickPick(
    STRATEGIES.map((s) => ({ label: s, description: s === settings.strategy ? "(setting)" : undefined, detail: STRATEGY_DETAILS[s] })),
    { title: "Session (2/5): search strategy", ignoreFocusOut: true },
  );
  if (!strategy) return undefined;
  const budget = await vscode.window.showInputBox({
    title: "Session (3/5): budget", prompt: budgetPrompt(usage), value: String(settings.budgetEvaluations), ignoreFocusOut: true,
    validateInput: (v) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : "A whole number ≥ 1"),
  });
  if (!budget) return undefined;
  const minutes = await vscode.window.showInputBox({
    title: "Session (4/5): time limit", prompt: "Stop after this many minutes, whatever is left of the budget (empty: no time limit).",
    value: typeof raw.budgetMinutes === "number" && raw.budgetMinutes > 0 ? String(raw.budgetMinutes) : "", ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === "" || /^[1-9]\d*$/.test(v.trim()) ? undefined : "A whole number of minutes ≥ 1, or empty"),
  });
  if (minutes === undefined) return undefined;
  const parallel = await vscode.window.showQuickPick(["1", "2", "4", "8"].map((p) => ({ label: p, description: Number(p) === settings.parallel ? "(setting)" : undefined })), { title: "Session (5/5): jobs at once on the shared model", ignoreFocusOut: true });
  if (!parallel) return undefined;
  return { suite, strategy: strategy.label as Strategy, budgetEvaluations: Number(budget.trim()), budgetMinutes: minutes.trim() ? Number(minutes.trim()) : 0, parallel: Number(parallel.label) };
}

const STRATEGY_DETAILS: Record<Strategy, string> = {
  hgm: "Huxley-Gödel Machine: expands versions whose descendants do well (clade metaproductivity).",
  dgm: "Darwin Gödel Machine: samples parents by score and novelty.",
  greedy: "Always expands the best version so far.",
  random: "Uniform random parent (a baseline).",
};

/**
 * Before any question: a session needs a trusted workspace and a model. Without a model, say so
 * with the ways to get one (not after the wizard, and without leaving a failed session behind).
 */
function readyToStart(deps: CladeDeps): boolean {
  requireTrusted(vscode.workspace.isTrusted, "Starting a self-improvement session");
  if (deps.configuration.configured) return true;
  deps.log.warn("Start Session: no model is selected (clade.model.path).");
  void vscode.window.showWarningMessage("A self-improvement session needs a model, and none is selected.", "Select Model…", "Download Recommended Model").then((pick) => {
    if (pick === "Select Model…") return vscode.commands.executeCommand("clade.selectModel");
    if (pick === "Download Recommended Model") return vscode.commands.executeCommand("clade.downloadRecommendedModel");
    return undefined;
  });
  return false;
}

async function start(deps: CladeDeps, choices?: SessionChoices): Promise<EvolveResult | undefined> {
  const workspace = deps.archive.requireWorkspace();
  if (!readyToStart(deps)) return undefined;
  const picked = choices ?? (await pickChoices(workspace, deps.archive.tree?.usage));
  if (!picked) return undefined;
  const result = await deps.sessions.start(picked);
  void vscode.window.showInformationMessage(
    `Session ${result.sessionId} stopped (${result.stopReason}): ${result.evaluationsDone} evaluations + ${result.gateRuns} gate runs of ${result.budget}, ${result.nodes} version${result.nodes === 1 ? "" : "s"}, best ${result.best ? `${result.best.nodeId} (${result.best.passed}/${result.best.evaluated})` : "none"}.${result.stopMessage ? ` ${result.stopMessage[0]!.toUpperCase()}${result.stopMessage.slice(1)}.` : ""}`,
    "Show Archive",
  ).then((action) => action && vscode.commands.executeCommand("clade.archive.focus"));
  return result;
}

async function resume(deps: CladeDeps): Promise<EvolveResult | undefined> {
  const tree = deps.archive.tree ?? (await deps.archive.refresh());
  const last = tree?.session;
  if (!last) return start(deps);
  return start(deps, { suite: last.suite, strategy: last.strategy as Strategy, budgetEvaluations: last.budget });
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(START_SESSION, guarded(deps.log, (choices?: SessionChoices) => start(deps, choices))),
    vscode.commands.registerCommand(RESUME_SESSION, guarded(deps.log, () => resume(deps))),
    vscode.commands.registerCommand(STOP_SESSION, () => {
      if (!deps.sessions.stop()) void vscode.window.showInformationMessage("No session is running in this window.");
    }),
  );
}
