// The "Sessions" view: the running session (live progress, ticking elapsed time) and past sessions.
import * as vscode from "vscode";
import type { CladeDeps } from "../deps";
import { Disposable } from "../util/disposable";
import { sessionRows, type SessionRow } from "./sessionPresentation";

export const SESSIONS_VIEW = "clade.sessions";

class SessionsProvider extends Disposable implements vscode.TreeDataProvider<SessionRow> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<SessionRow | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: CladeDeps) {
    super();
    const changed = () => {
      this.changeEmitter.fire(undefined);
      this.tick();
    };
    this.register(deps.sessions.onDidChange(changed));
    this.register(deps.archive.onDidChange(changed));
    this.register({ dispose: () => clearInterval(this.timer) });
  }

  /** Re-renders every second while a session runs (elapsed time). */
  private tick(): void {
    if (this.deps.sessions.running && !this.timer) this.timer = setInterval(() => this.changeEmitter.fire(undefined), 1000);
    if (!this.deps.sessions.running && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  async getChildren(element?: SessionRow): Promise<SessionRow[]> {
    if (element) return element.children ?? [];
    const tree = this.deps.archive.tree ?? (await this.deps.archive.refresh());
    return sessionRows(this.deps.sessions.current, tree, Date.now());
  }

  getTreeItem(row: SessionRow): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, row.children?.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = row.id;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    item.contextValue = row.contextValue;
    return item;
  }
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  const provider = new SessionsProvider(deps);
  context.subscriptions.push(provider, vscode.window.createTreeView(SESSIONS_VIEW, { treeDataProvider: provider }));
}
