// The one Clade status-bar item: engine and model state (starting, loading, ready: model + backend,
// error → click shows the log); a running session only adds a line to its tooltip (its notification has the progress).
import * as vscode from "vscode";
import type { CladeDeps } from "../deps";
import { modelDisplayName } from "../model/modelInfoMarkdown";
import { statusPresentation } from "./statusPresentation";

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  const item = vscode.window.createStatusBarItem("clade.status", vscode.StatusBarAlignment.Left, 10);
  item.name = "Clade";
  const update = () => {
    const model = deps.engine.model;
    const shown = statusPresentation({
      engine: deps.engine.status,
      model,
      modelConfigured: deps.configuration.configured,
      modelName: model.info ? modelDisplayName(model.info) : undefined,
      session: sessionState(deps),
    });
    item.text = shown.text;
    item.tooltip = shown.tooltip;
    item.command = shown.command;
    item.backgroundColor = shown.severity === "normal" ? undefined : new vscode.ThemeColor(shown.severity === "error" ? "statusBarItem.errorBackground" : "statusBarItem.warningBackground");
  };
  update();
  item.show();
  context.subscriptions.push(
    item,
    deps.engine.onDidChangeStatus(update),
    deps.engine.onDidChangeModelState(update),
    deps.configuration.onDidChange(update),
    deps.sessions.onDidChange(update),
    deps.archive.onDidChange(update),
  );
}

function sessionState(deps: CladeDeps): { done: number; total: number; best: string | null } | undefined {
  const live = deps.sessions.current;
  if (!live || live.state !== "running") return undefined;
  const tree = deps.archive.tree;
  return { done: live.progress?.done ?? tree?.budget.used ?? 0, total: live.progress?.total ?? live.params.budgetEvaluations, best: tree?.best ?? null };
}
