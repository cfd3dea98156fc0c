// The graph's data from the engine's archive requests for one workspace; live updates from the
// engine's `archive/changed` notification (re-subscribed when the engine restarts).
import * as vscode from "vscode";
import { Requests } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { EngineManager } from "../engine/engineManager";
import { Disposable } from "../util/disposable";
import type { GraphDataSource } from "./graphDataSource";
import { toGraphDetails, toGraphTree } from "./graphMapping";

export class EngineGraphDataSource extends Disposable implements GraphDataSource {
  private readonly changes = this.register(new vscode.EventEmitter<void>());
  private subscription: { dispose(): void } | undefined;
  private subscribedTo: object | undefined;

  constructor(
    private readonly engine: EngineManager,
    private readonly workspaceFolder: () => string | undefined,
    /** Opens the diff the host's way; resolves false when it cannot (then the patch is shown). */
    private readonly openDiff?: (nodeId: string) => Promise<boolean>,
  ) {
    super();
    this.register(engine.onDidChangeStatus((status) => status === "running" && void this.subscribe()));
    this.register({ dispose: () => this.subscription?.dispose() });
    if (engine.status === "running") void this.subscribe();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    return this.changes.event(listener);
  }

  async tree() {
    const workspace = this.workspace();
    await this.subscribe();
    return toGraphTree(await (await this.engine.client()).request(Requests.archiveTree, { workspace }));
  }

  async details(nodeId: string) {
    const workspace = this.workspace();
    const client = await this.engine.client();
    const details = await client.request(Requests.nodeDetails, { workspace, nodeId });
    const diff = details.summary.parentId === null ? null : await client.request(Requests.nodeDiff, { workspace, nodeId, patch: false });
    return toGraphDetails(details, diff);
  }

  async accept(nodeId: string) {
    return (await this.engine.client()).request(Requests.accept, { workspace: this.workspace(), nodeId });
  }

  async revert(nodeId: string) {
    return (await this.engine.client()).request(Requests.revert, { workspace: this.workspace(), nodeId });
  }

  /** The host's diff command when wired; otherwise the unified patch in a read-only-ish untitled editor. */
  async showDiff(nodeId: string): Promise<void> {
    if (this.openDiff && (await this.openDiff(nodeId))) return;
    const diff = await (await this.engine.client()).request(Requests.nodeDiff, { workspace: this.workspace(), nodeId, patch: true });
    const document = await vscode.workspace.openTextDocument({ language: "diff", content: diff.patch ?? "" });
    await vscode.window.showTextDocument(document, { preview: true });
  }

  private workspace(): string {
    const folder = this.workspaceFolder();
    if (!folder) throw new CladeError("archive-missing", "No folder is open, so there is no archive to show.", "Open the folder of the repository Clade works on.");
    return folder;
  }

  private async subscribe(): Promise<void> {
    const client = await this.engine.client();
    if (this.subscribedTo === client) return;
    this.subscribedTo = client;
    this.subscription?.dispose();
    this.subscription = client.onArchiveChanged((change) => {
      if (change.workspace === this.workspaceFolder()) this.changes.fire();
    });
  }
}
