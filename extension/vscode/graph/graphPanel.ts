// The archive graph webview panel: one at a time, revived by the serializer after a reload. It
// answers the webview's requests from a GraphDataSource and pushes a new tree on every archive
// change (coalesced, so a busy session does not flood the webview).
import * as vscode from "vscode";
import { CladeError } from "../../protocol/errors";
import { parseWebviewMessage, type GraphMethod, type HostToWebview, type WebviewRequest } from "../../protocol/webview";
import { Disposable } from "../util/disposable";
import type { GraphDataSource } from "./graphDataSource";
import { graphHtml } from "./graphHtml";

export const GRAPH_VIEW_TYPE = "clade.graph";
const TREE_PUSH_DELAY_MS = 150;

export function graphWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media")],
  };
}

export class GraphPanel extends Disposable {
  private static current: GraphPanel | undefined;
  private ready = false;
  private pendingSelect: string | undefined;
  private pushTimer: ReturnType<typeof setTimeout> | undefined;

  /** Shows the panel (creating it if needed). */
  static show(extensionUri: vscode.Uri, source: GraphDataSource, log: vscode.LogOutputChannel): GraphPanel {
    if (GraphPanel.current) {
      GraphPanel.current.panel.reveal();
      return GraphPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, "Archive Graph", vscode.ViewColumn.Active, { ...graphWebviewOptions(extensionUri), retainContextWhenHidden: false });
    return GraphPanel.revive(panel, extensionUri, source, log);
  }

  /** Takes over a panel (a new one, or one VS Code restored through the serializer). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, source: GraphDataSource, log: vscode.LogOutputChannel): GraphPanel {
    GraphPanel.current?.dispose();
    GraphPanel.current = new GraphPanel(panel, extensionUri, source, log);
    return GraphPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly source: GraphDataSource,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    const webview = panel.webview;
    webview.options = graphWebviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, "media", "clade.svg");
    webview.html = graphHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview.js")).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", "graph.css")).toString(),
    });
    this.register(webview.onDidReceiveMessage((message: unknown) => this.receive(message)));
    this.register(source.onDidChange(() => this.schedulePush()));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register({ dispose: () => clearTimeout(this.pushTimer) });
  }

  static disposeCurrent(): void {
    GraphPanel.current?.dispose();
  }

  /** Reveals and selects a node (e.g. from the Archive tree view). */
  select(nodeId: string): void {
    this.panel.reveal();
    if (this.ready) void this.post({ type: "select", nodeId });
    else this.pendingSelect = nodeId;
  }

  override dispose(): void {
    if (GraphPanel.current === this) GraphPanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn("Archive graph: dropped a malformed message from the webview.");
      return;
    }
    if (message.type === "ready") {
      this.ready = true;
      void this.pushTree().then(() => {
        if (this.pendingSelect) void this.post({ type: "select", nodeId: this.pendingSelect });
        this.pendingSelect = undefined;
      });
      return;
    }
    void this.answer(message);
  }

  private async answer(request: WebviewRequest): Promise<void> {
    try {
      const result = await this.call(request);
      await this.post({ type: "response", id: request.id, ok: true, result });
    } catch (error) {
      this.log.error(`Archive graph: ${request.method} failed: ${error instanceof Error ? error.message : String(error)}`);
      const fix = CladeError.is(error) ? error.fix : undefined;
      const message = error instanceof Error ? error.message : String(error);
      await this.post({ type: "response", id: request.id, ok: false, error: { message, ...(fix ? { fix } : {}) } });
    }
  }

  private async call(request: WebviewRequest): Promise<unknown> {
    const method: GraphMethod = request.method;
    if (request.method === "tree") return this.source.tree();
    const { nodeId } = request.params;
    if (method === "details") return this.source.details(nodeId);
    if (method === "accept") return this.source.accept(nodeId);
    if (method === "revert") return this.source.revert(nodeId);
    await this.source.showDiff(nodeId);
    return null;
  }

  private schedulePush(): void {
    if (!this.ready || this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      void this.pushTree();
    }, TREE_PUSH_DELAY_MS);
  }

  private async pushTree(): Promise<void> {
    try {
      await this.post({ type: "tree", tree: await this.source.tree() });
    } catch (error) {
      this.log.error(`Archive graph: could not read the archive: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private post(message: HostToWebview): Thenable<boolean> {
    return this.isDisposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }
}
