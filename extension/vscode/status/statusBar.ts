// The one Clade status-bar item: engine and model state (starting, loading, ready: model + backend,
// error → click shows the log).
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
  );
}
