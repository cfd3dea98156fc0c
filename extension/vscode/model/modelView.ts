// The "Model" view in the Clade container: empty (→ the welcome view with "Select Model…") until a
// model is configured, then the configured model and what the engine says about it.
import path from "node:path";
import * as vscode from "vscode";
import type { CladeDeps } from "../deps";
import { backendWhy } from "./backendWhy";
import { formatParameters } from "./catalog";
import { modelDisplayName } from "./modelInfoMarkdown";

interface Row {
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  command?: string;
}

class ModelTreeProvider implements vscode.TreeDataProvider<Row> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(private readonly deps: CladeDeps) {}

  refresh(): void {
    this.changeEmitter.fire();
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    if (row.command) item.command = { command: row.command, title: row.label };
    return item;
  }

  getChildren(element?: Row): Row[] {
    if (element || !this.deps.configuration.configured) return [];
    const configured = this.deps.configuration.modelPath;
    const { state, info, error } = this.deps.engine.model;
    const rows: Row[] = [{ label: path.basename(configured) || configured, description: "model", tooltip: configured, icon: "file-binary", command: "clade.selectModel" }];
    if (state === "ready" && info) {
      rows.push(
        { label: modelDisplayName(info), description: `${info.architecture} · ${formatParameters(info.parameterCount)} parameters`, icon: "pass", command: "clade.showModelInfo" },
        { label: info.backend, description: `${info.gpuLayers} GPU layers · ${info.threads} thread(s)`, tooltip: info.backendReason, icon: "chip" },
        { label: backendWhy(info), description: "why this backend", tooltip: info.backendReason, icon: "info" },
      );
    } else if (state === "loading") {
      rows.push({ label: "Loading…", icon: "loading~spin" });
    } else if (state === "error" && error) {
      rows.push({ label: "Failed to load", description: error.message, tooltip: `${error.message}\nFix: ${error.fix}`, icon: "error", command: "clade.showLog" });
    } else {
      rows.push({ label: "Not loaded", description: "click to load and show info", icon: "circle-outline", command: "clade.showModelInfo" });
    }
    return rows;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  const provider = new ModelTreeProvider(deps);
  const refresh = () => provider.refresh();
  context.subscriptions.push(
    provider,
    vscode.window.createTreeView("clade.model", { treeDataProvider: provider }),
    deps.engine.onDidChangeModelState(refresh),
    deps.configuration.onDidChange(refresh),
  );
}
