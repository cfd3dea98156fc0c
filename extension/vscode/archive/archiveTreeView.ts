// The "Archive" view: a native TreeView of agent versions (parent → children), score as the
// description, a ThemeIcon by status, a tooltip with model/adapter/seed/tokens, and a contextValue
// the context menus key on. Live: re-renders whenever the ArchiveModel changes.
import * as vscode from "vscode";
import type { NodeSummary } from "../../protocol/archive";
import { versionNode, type AskSummary } from "../../protocol/ask";
import type { CladeDeps } from "../deps";
import { Disposable } from "../util/disposable";
import { doubleClickDetector } from "../util/doubleClick";
import type { ArchiveModel } from "./archiveModel";
import { childrenIndex, nodePresentation } from "./archivePresentation";

export const ARCHIVE_VIEW = "clade.archive";
export const SHOW_DETAILS = "clade.showNodeDetails";
/** A row's click: a single click selects (as in the Explorer with a preview off), a double click opens the details. */
export const ROW_CLICK = "clade.archive.rowClick";
/** Enter in the Archive view: the selected version's details. */
export const OPEN_SELECTED = "clade.archive.openSelected";

/** An ask of the user's, shown under the version that did it. */
export interface AskItem {
  kind: "ask";
  ask: AskSummary;
  nodeId: string;
}
export type ArchiveItem = NodeSummary | AskItem;
const isAsk = (item: ArchiveItem): item is AskItem => (item as AskItem).kind === "ask";

export class ArchiveTreeProvider extends Disposable implements vscode.TreeDataProvider<ArchiveItem> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<ArchiveItem | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private index = new Map<string | null, NodeSummary[]>();
  private asks = new Map<string, AskItem[]>();
  private loaded = false;

  constructor(private readonly model: ArchiveModel) {
    super();
    this.register(model.onDidChange((tree) => {
      this.index = childrenIndex(tree?.nodes ?? []);
      const root = tree?.nodes.find((n) => n.parentId === null)?.id;
      this.asks = new Map();
      for (const ask of tree?.asks ?? []) {
        const nodeId = versionNode(ask.versionId, root);
        this.asks.set(nodeId, [...(this.asks.get(nodeId) ?? []), { kind: "ask", ask, nodeId }]);
      }
      this.loaded = true;
      this.changeEmitter.fire(undefined);
    }));
  }

  async getChildren(element?: ArchiveItem): Promise<ArchiveItem[]> {
    if (!this.loaded) await this.model.refresh();
    if (element && isAsk(element)) return [];
    const id = element ? element.id : null;
    return [...(id ? (this.asks.get(id) ?? []) : []), ...(this.index.get(id) ?? [])];
  }

  getParent(element: ArchiveItem): NodeSummary | undefined {
    if (isAsk(element)) return this.model.node(element.nodeId);
    return element.parentId ? this.model.node(element.parentId) : undefined;
  }

  getTreeItem(element: ArchiveItem): vscode.TreeItem {
    if (isAsk(element)) return askTreeItem(element);
    const node = element;
    const shown = nodePresentation(node, this.model.tree?.best ?? null);
    const hasChildren = (this.index.get(node.id)?.length ?? 0) + (this.asks.get(node.id)?.length ?? 0) > 0;
    const item = new vscode.TreeItem(shown.label, hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = shown.description;
    item.tooltip = shown.tooltip;
    item.iconPath = new vscode.ThemeIcon(shown.icon, shown.iconColor ? new vscode.ThemeColor(shown.iconColor) : undefined);
    item.contextValue = shown.contextValue;
    item.command = { command: ROW_CLICK, title: "Show Details (double-click)", arguments: [node] };
    item.accessibilityInformation = { label: `${node.id}, ${shown.status}, ${shown.description}` };
    return item;
  }
}

function askTreeItem({ ask }: AskItem): vscode.TreeItem {
  const item = new vscode.TreeItem(`ask: ${ask.instruction.split("\n")[0]!.slice(0, 60)}`, vscode.TreeItemCollapsibleState.None);
  item.id = `ask:${ask.askId}`;
  const tests = ask.testCommand ? ` · tests ${ask.testsBefore ? "pass" : "fail"}→${ask.testsAfter ? "pass" : "fail"}` : "";
  item.description = `${ask.resolution ?? ask.outcome} · ${ask.changedFiles} file(s)${tests}${ask.savedAs ? ` · task ${ask.savedAs}` : ""}`;
  item.tooltip = `${ask.askId} (${ask.at})\n${ask.instruction}\n${item.description}\ntrajectory: ${ask.trajectory}`;
  item.iconPath = new vscode.ThemeIcon(ask.resolution === "applied" ? "check" : ask.resolution === "discarded" ? "discard" : ask.outcome === "failed" ? "error" : "comment-discussion");
  item.contextValue = "cladeAsk";
  return item;
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  const provider = new ArchiveTreeProvider(deps.archive);
  const view = vscode.window.createTreeView(ARCHIVE_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  const describe = () => {
    const tree = deps.archive.tree;
    view.message = undefined;
    view.description = tree?.exists && tree.nodes.length ? `${tree.nodes.length} version${tree.nodes.length === 1 ? "" : "s"} · active ${tree.active ?? tree.nodes[0].id}${tree.best ? ` · best ${tree.best}` : ""}` : undefined;
  };
  // A single click only selects (the tooltip has the summary); double click, Enter or the context
  // menu's "Show Details" opens the details in a kept (not preview) tab.
  const isDoubleClick = doubleClickDetector();
  const open = (node: NodeSummary) => vscode.commands.executeCommand(SHOW_DETAILS, node, { preview: false });
  context.subscriptions.push(
    provider,
    view,
    vscode.commands.registerCommand(ROW_CLICK, (node: NodeSummary) => (isDoubleClick(node.id) ? open(node) : undefined)),
    vscode.commands.registerCommand(OPEN_SELECTED, () => {
      const selected = view.selection[0];
      return selected && !isAsk(selected) ? open(selected) : undefined;
    }),
    deps.archive.onDidChange(describe),
    vscode.commands.registerCommand("clade.refreshArchive", () => deps.archive.refresh()),
  );
}
