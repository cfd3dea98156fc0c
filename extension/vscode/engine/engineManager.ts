// Owns the engine process: starts it on first use with VS Code's own Node (EngineClient sets
// ELECTRON_RUN_AS_NODE), forwards its logs to the Clade log channel and its model state to
// listeners, notices unexpected exits (the editor never goes down with it) and restarts on request.
import * as vscode from "vscode";
import type { ArchiveChanged } from "../../protocol/archive";
import type { ModelState } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import { EngineClient, type EngineExit } from "../../engine/rpc/engineClient";
import type { EngineStatusKind } from "../status/statusPresentation";
import { Disposable } from "../util/disposable";

export interface EngineManagerOptions {
  /** Absolute path of dist/engine.mjs. */
  enginePath: string;
  /** Extra environment for the engine process (e.g. CLADE_CACHE_DIR). */
  env?: Record<string, string>;
  log: vscode.LogOutputChannel;
}

export interface EngineCrash {
  exit: EngineExit;
  error: CladeError;
}

export class EngineManager extends Disposable {
  private current: EngineClient | undefined;
  private starting: Promise<EngineClient> | undefined;
  private kind: EngineStatusKind = "stopped";
  private modelState: ModelState = { state: "none" };
  /** Bumped on every start, so late events of an old process are ignored. */
  private generation = 0;
  private readonly statusEmitter = this.register(new vscode.EventEmitter<EngineStatusKind>());
  private readonly modelEmitter = this.register(new vscode.EventEmitter<ModelState>());
  private readonly crashEmitter = this.register(new vscode.EventEmitter<EngineCrash>());
  private readonly archiveEmitter = this.register(new vscode.EventEmitter<ArchiveChanged>());
  /** The engine's `archive/changed` notifications (a session wrote, or accept/revert/undo). */
  readonly onDidChangeArchive = this.archiveEmitter.event;
  readonly onDidChangeStatus = this.statusEmitter.event;
  readonly onDidChangeModelState = this.modelEmitter.event;
  readonly onDidCrash = this.crashEmitter.event;

  constructor(private readonly options: EngineManagerOptions) {
    super();
  }

  get status(): EngineStatusKind {
    return this.kind;
  }

  get model(): ModelState {
    return this.modelState;
  }

  /** The running engine, started if needed; concurrent callers share one start. */
  client(): Promise<EngineClient> {
    if (this.isDisposed) return Promise.reject(new CladeError("internal", "The Clade extension is shutting down.", "Reload the window."));
    if (this.current?.isRunning) return Promise.resolve(this.current);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Stops the engine (if running) and starts a fresh one. Works in any state. */
  async restart(): Promise<EngineClient> {
    await this.starting?.catch(() => undefined);
    await this.stopCurrent();
    return this.client();
  }

  private async start(): Promise<EngineClient> {
    const generation = ++this.generation;
    this.setStatus("starting");
    this.setModelState({ state: "none" });
    const log = this.options.log;
    log.info(`Starting the engine: ${this.options.enginePath}`);
    try {
      const client = await EngineClient.start({ enginePath: this.options.enginePath, env: { ...process.env, ...this.options.env } });
      if (generation !== this.generation || this.isDisposed) {
        client.dispose();
        throw new CladeError("cancelled", "The engine start was superseded.", "Nothing to fix.");
      }
      this.current = client;
      client.onLog((entry) => log[entry.level](`[${entry.source}] ${entry.message}`));
      client.onModelState((state) => generation === this.generation && this.setModelState(state));
      client.onArchiveChanged((change) => generation === this.generation && this.archiveEmitter.fire(change));
      client.onExit((exit) => generation === this.generation && this.handleExit(client, exit));
      log.info(`Engine running (pid ${client.pid}).`);
      this.setStatus("running");
      return client;
    } catch (error) {
      if (generation === this.generation) this.setStatus("crashed");
      const clade = CladeError.is(error) ? error : new CladeError("engine-crashed", `The Clade engine did not start: ${error instanceof Error ? error.message : String(error)}.`, "Check that the extension is built (dist/engine.mjs) and see the Clade log.");
      log.error(clade.describe());
      throw clade;
    }
  }

  private handleExit(client: EngineClient, exit: EngineExit): void {
    if (this.current === client) this.current = undefined;
    client.dispose();
    if (!exit.unexpected) {
      this.options.log.info("Engine stopped.");
      this.setStatus("stopped");
      this.setModelState({ state: "none" });
      return;
    }
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    // The error itself is logged where it is shown (showError); native crashes leave their reason on stderr.
    if (exit.stderrTail.trim()) this.options.log.error(`Engine stderr before it stopped:\n${exit.stderrTail.trim()}`);
    this.setStatus("crashed");
    this.setModelState({ state: "none" });
    const error = new CladeError("engine-crashed", `The Clade engine stopped unexpectedly (${how}).`, "Run \"Clade: Restart Engine\"; if it keeps stopping, check the model file and the Clade log.", { code: exit.code, signal: exit.signal });
    this.crashEmitter.fire({ exit, error });
  }

  private async stopCurrent(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    this.generation++;
    if (!client) return;
    this.options.log.info("Stopping the engine.");
    await client.stop().catch((error: unknown) => this.options.log.warn(`Engine stop: ${String(error)}`));
    client.dispose();
    this.setStatus("stopped");
    this.setModelState({ state: "none" });
  }

  private setStatus(kind: EngineStatusKind): void {
    if (this.kind === kind) return;
    this.kind = kind;
    this.statusEmitter.fire(kind);
  }

  private setModelState(state: ModelState): void {
    this.modelState = state;
    this.modelEmitter.fire(state);
  }

  /** Stops the engine cleanly (deactivate awaits this) and releases everything. */
  async shutdown(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.stopCurrent();
    this.dispose();
  }

  override dispose(): void {
    this.current?.dispose();
    this.current = undefined;
    super.dispose();
  }
}
