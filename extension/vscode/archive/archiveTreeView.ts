// The "Archive" view: a native TreeView of agent versions (parent → children), score as the
// description, a ThemeIcon by status, a tooltip with model/adapter/seed/tokens, and a contextValue
// the context menus key on. Live: re-renders whenever the ArchiveModel changes.
import * as vscode from "vscode";
import type { NodeSummary } from "../../protocol/archive";
import type { CladeDeps } from "../deps";
import { Disposable } from "../util/disposable";
import type { ArchiveModel } from "./archiveModel";
import { childrenIndex, nodePresentation } from "./archivePresentation";

export const ARCHIVE_VIEW = "clade.archive";
export const SHOW_DETAILS = "clade.showNodeDetails";

export class ArchiveTreeProvider extends Disposable implements vscode.TreeDataProvider<NodeSummary> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<NodeSummary | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private index = new Map<string | null, NodeSummary[]>();
  private loaded = false;

  constructor(private readonly model: ArchiveModel) {
    super();
    this.register(model.onDidChange((tree) => {
      this.index = childrenIndex(tree?.nodes ?? []);
      this.loaded = true;
      this.changeEmitter.fire(undefined);
    }));
  }

  async getChildren(element?: NodeSummary): Promise<NodeSummary[]> {
    if (!this.loaded) await this.model.refresh();
    return this.index.get(element ? element.id : null) ?? [];
  }

  getParent(element: NodeSummary): NodeSummary | undefined {
    return element.parentId ? this.model.node(element.parentId) : undefined;
  }

  getTreeItem(node: NodeSummary): vscode.TreeItem {
    const shown = nodePresentation(node, this.model.tree?.best ?? null);
    const hasChildren = (this.index.get(node.id)?.length ?? 0) > 0;
    const item = new vscode.TreeItem(shown.label, hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = shown.description;
    item.tooltip = shown.tooltip;
    item.iconPath = new vscode.ThemeIcon(shown.icon, shown.iconColor ? new vscode.ThemeColor(shown.iconColor) : undefined);
    item.contextValue = shown.contextValue;
    item.command = { command: SHOW_DETAILS, title: "Show Details", arguments: [node] };
    item.accessibilityInformation = { label: `${node.id}, ${shown.status}, ${shown.description}` };
    return item;
  }
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  const provider = new ArchiveTreeProvider(deps.archive);
  const view = vscode.window.createTreeView(ARCHIVE_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  const describe = () => {
    const tree = deps.archive.tree;
    view.message = undefined;
    view.description = tree?.exists && tree.nodes.length ? `${tree.nodes.length} versions · active ${tree.active ?? tree.nodes[0].id}${tree.best ? ` · best ${tree.best}` : ""}` : undefined;
  };
  context.subscriptions.push(
    provider,
    view,
    deps.archive.onDidChange(describe),
    vscode.commands.registerCommand("clade.refreshArchive", () => deps.archive.refresh()),
  );
}
