// The "Model" view in the Clade container: empty (→ the welcome view with "Select Model…") until a
// model is configured, then the configured model and what the engine says about it.
import path from "node:path";
import * as vscode from "vscode";
import { Requests } from "../../protocol/engine";
import { isRemoteModel } from "../../engine/model/remote/remoteSpec";
import { CladeError } from "../../protocol/errors";
import type { GpuChoice, TrainerBackendInfo } from "../../protocol/model";
import type { SandboxInfo, SandboxMode } from "../../protocol/sandbox";
import type { CladeDeps } from "../deps";
import { backendWhy, sandboxRowFor, trainerRowFor, type Row } from "./backendWhy";
import { formatParameters } from "./catalog";
import { modelDisplayName } from "./modelInfoMarkdown";


class ModelTreeProvider implements vscode.TreeDataProvider<Row> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** The confinement agent code gets here (asked of the engine once per mode setting). */
  private sandbox?: { key: string; info?: SandboxInfo; error?: string };
  /** The backend the LoRA trainer would use (asked of the engine once per gpu / gpuLayers setting). */
  private trainer?: { key: string; info?: TrainerBackendInfo; error?: { message: string; fix?: string } };

  constructor(private readonly deps: CladeDeps) {}

  refresh(): void {
    this.changeEmitter.fire();
  }

  private sandboxRow(): Row | undefined {
    const mode = vscode.workspace.getConfiguration("clade.sandbox").get<SandboxMode>("mode") ?? "auto";
    if (this.sandbox?.key !== mode) {
      this.sandbox = { key: mode };
      this.deps.archive.request(Requests.sandbox, { mode }).then(
        (info) => {
          if (this.sandbox?.key === mode) this.sandbox.info = info;
          if (info.warning) this.deps.log.warn(`Sandbox: ${info.mode} (${info.reason}). ${info.warning}`);
          this.refresh();
        },
        (error: unknown) => {
          if (this.sandbox?.key === mode) this.sandbox.error = error instanceof Error ? error.message : String(error);
          this.refresh();
        },
      );
      return undefined;
    }
    return sandboxRowFor(this.sandbox.info, this.sandbox.error);
  }

  private trainerRow(): Row | undefined {
    const raw = this.deps.configuration.raw();
    const gpu = typeof raw.gpu === "string" ? (raw.gpu as GpuChoice) : "auto";
    const gpuLayers = typeof raw.gpuLayers === "number" ? raw.gpuLayers : undefined;
    const key = `${gpu}/${gpuLayers ?? "auto"}`;
    if (this.trainer?.key !== key) {
      this.trainer = { key };
      this.deps.archive.request(Requests.trainerBackend, { gpu, gpuLayers }).then(
        (info) => {
          if (this.trainer?.key === key) this.trainer.info = info;
          this.refresh();
        },
        (error: unknown) => {
          if (this.trainer?.key === key) this.trainer.error = { message: error instanceof Error ? error.message : String(error), fix: CladeError.is(error) ? error.fix : undefined };
          this.refresh();
        },
      );
      return undefined;
    }
    return trainerRowFor(this.trainer.info, this.trainer.error);
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
    const sandbox = this.sandboxRow();
    if (sandbox) rows.push(sandbox);
    // Adapters train on a local GGUF only; an inference server's model has no Training row.
    const training = isRemoteModel(configured) ? undefined : this.trainerRow();
    if (training) rows.push(training);
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
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration("clade.sandbox") && refresh()),
  );
}
