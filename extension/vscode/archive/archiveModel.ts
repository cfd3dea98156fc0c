// The extension's view of the workspace's archive: the last ArchiveTree the engine sent, re-fetched
// on every `archive/changed` notification and engine restart. Views and commands read it; it also
// sets the context keys menus and welcome views use (clade.hasArchive, clade.sessionRunning).
import * as vscode from "vscode";
import type { ArchiveTree, NodeSummary } from "../../protocol/archive";
import { Requests } from "../../protocol/engine";
import { CladeError, type ErrorData } from "../../protocol/errors";
import type { RequestType } from "vscode-jsonrpc";
import type { RequestOptions } from "../../engine/rpc/engineClient";
import type { EngineManager } from "../engine/engineManager";
import { Disposable } from "../util/disposable";

export class ArchiveModel extends Disposable {
  private current: ArchiveTree | undefined;
  private fetching: Promise<ArchiveTree | undefined> | undefined;
  private again = false;
  private readonly changeEmitter = this.register(new vscode.EventEmitter<ArchiveTree | undefined>());
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly engine: EngineManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(engine.onDidChangeArchive((change) => change.workspace === this.workspace && void this.refresh()));
    this.register(engine.onDidChangeStatus((status) => status === "running" && void this.refresh()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()));
  }

  /** The workspace folder whose `.clade/` holds the archive (the first folder), if any. */
  get workspace(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  get tree(): ArchiveTree | undefined {
    return this.current;
  }

  node(id: string): NodeSummary | undefined {
    return this.current?.nodes.find((n) => n.id === id);
  }

  requireWorkspace(): string {
    const workspace = this.workspace;
    if (!workspace) throw new CladeError("invalid-argument", "No folder is open.", "Open the folder of the project Clade should work on (File → Open Folder).");
    return workspace;
  }

  /** Sends an engine request for this workspace (starting the engine if needed). */
  async request<P, R>(type: RequestType<P, R, ErrorData>, params: P, options?: RequestOptions): Promise<R> {
    const client = await this.engine.client();
    return client.request(type, params, options);
  }

  /** Re-fetches the tree; concurrent calls coalesce (one more fetch after the running one). */
  refresh(): Promise<ArchiveTree | undefined> {
    if (this.fetching) {
      this.again = true;
      return this.fetching;
    }
    this.fetching = this.fetch().finally(() => {
      this.fetching = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.fetching;
  }

  private async fetch(): Promise<ArchiveTree | undefined> {
    const workspace = this.workspace;
    try {
      this.current = workspace ? await this.request(Requests.archiveTree, { workspace }) : undefined;
    } catch (error) {
      this.log.warn(`Reading the archive failed: ${error instanceof Error ? error.message : String(error)}`);
      this.current = undefined;
    }
    void vscode.commands.executeCommand("setContext", "clade.hasArchive", Boolean(this.current?.exists && this.current.nodes.length));
    this.changeEmitter.fire(this.current);
    return this.current;
  }
}
