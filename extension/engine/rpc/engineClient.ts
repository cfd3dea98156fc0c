// Starts the engine process and gives typed access to it. Used by the VS Code extension and the
// CLI alike (no `vscode` import). A crash of the engine rejects every pending request with an
// "engine-crashed" CladeError and fires onExit; the caller decides whether to restart.
import { fork, type ChildProcess } from "node:child_process";
import engineNodeFlags from "./engineNodeFlags.json";
import { randomUUID } from "node:crypto";
import {
  CancellationTokenSource,
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  type MessageConnection,
  type RequestType,
} from "vscode-jsonrpc/node";
import type { ArchiveChanged } from "../../protocol/archive";
import type { AskEvent } from "../../protocol/ask";
import { Notifications, Requests, progressType, type LogEntry, type ModelState, type ProgressValue } from "../../protocol/engine";
import { CladeError, isErrorData, type ErrorData } from "../../protocol/errors";
import { Emitter } from "../util/emitter";

export interface EngineClientOptions {
  /** Absolute path of dist/engine.mjs. */
  enginePath: string;
  /** Executable to run it with: Node, or VS Code's Electron with ELECTRON_RUN_AS_NODE=1. */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the engine went away without being asked to. */
  unexpected: boolean;
  /** The last lines the engine wrote to stderr (native crashes print here). */
  stderrTail: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (value: ProgressValue) => void;
}

export class EngineClient {
  private readonly exits = new Emitter<EngineExit>();
  private readonly logs = new Emitter<LogEntry>();
  private readonly states = new Emitter<ModelState>();
  private readonly archiveChanges = new Emitter<ArchiveChanged>();
  private readonly askEvents = new Emitter<AskEvent>();
  readonly onArchiveChanged = this.archiveChanges.event;
  /** Live steps of running asks. */
  readonly onAskEvent = this.askEvents.event;
  readonly onExit = this.exits.event;
  readonly onLog = this.logs.event;
  readonly onModelState = this.states.event;
  private stopping = false;
  private exited: EngineExit | undefined;
  private stderrTail = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: MessageConnection,
  ) {}

  static async start(options: EngineClientOptions): Promise<EngineClient> {
    const child = fork(options.enginePath, [], {
      execPath: options.execPath ?? process.execPath,
      execArgv: engineNodeFlags.execArgv,
      env: { ...(options.env ?? process.env), ...engineNodeFlags.env, ELECTRON_RUN_AS_NODE: "1" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const client = new EngineClient(child, connection);
    client.wire();
    connection.listen();
    await client.request(Requests.ping, undefined);
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  private wire(): void {
    this.connection.onNotification(Notifications.log, (entry) => this.logs.fire(entry));
    this.connection.onNotification(Notifications.modelState, (state) => this.states.fire(state));
    this.connection.onNotification(Notifications.archiveChanged, (change) => this.archiveChanges.fire(change));
    this.connection.onNotification(Notifications.askEvent, (event) => this.askEvents.fire(event));
    const forward = (level: LogEntry["level"]) => (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) this.logs.fire({ level, source: "engine", message: line });
    };
    this.child.stdout?.on("data", forward("info"));
    this.child.stderr?.on("data", forward("warn"));
    this.child.on("exit", (code, signal) => {
      this.exited = { code, signal, unexpected: !this.stopping, stderrTail: this.stderrTail };
      this.connection.dispose();
      this.exits.fire(this.exited);
    });
  }

  /** Sends a request; an AbortSignal cancels it in the engine; CladeErrors come back typed. */
  async request<P, R>(type: RequestType<P, R, ErrorData>, params: P, options: RequestOptions = {}): Promise<R> {
    if (this.exited) throw crashedError(this.exited);
    const cancellation = new CancellationTokenSource();
    const onAbort = () => cancellation.cancel();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let progress: { dispose(): void } | undefined;
    let withToken = params;
    if (options.onProgress) {
      const progressToken = randomUUID();
      progress = this.connection.onProgress(progressType, progressToken, options.onProgress);
      withToken = { ...(params as object), progressToken } as P;
    }
    try {
      if (options.signal?.aborted) throw new CladeError("cancelled", "The request was cancelled.", "Nothing to fix.");
      return await Promise.race([this.connection.sendRequest(type as RequestType<unknown, R, ErrorData>, withToken as unknown, cancellation.token), this.exitPromise()]);
    } catch (error) {
      throw this.toCladeError(error);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      progress?.dispose();
      cancellation.dispose();
    }
  }

  private exitPromise(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.exited) return reject(crashedError(this.exited));
      const subscription = this.onExit((exit) => {
        subscription.dispose();
        reject(crashedError(exit));
      });
    });
  }

  private toCladeError(error: unknown): unknown {
    if (error instanceof ResponseError) {
      if (isErrorData(error.data)) return CladeError.fromData(error.message, error.data);
      if (error.code === -32800) return new CladeError("cancelled", "The request was cancelled.", "Nothing to fix.");
    }
    if (this.exited && !CladeError.is(error)) return crashedError(this.exited);
    return error;
  }

  /** Asks the engine to shut down cleanly; kills it if it does not go within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    void this.connection.sendRequest(Requests.shutdown as RequestType<unknown, void, ErrorData>, undefined).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }

  dispose(): void {
    this.stopping = true;
    if (!this.exited) this.child.kill("SIGKILL");
    this.logs.dispose();
    this.states.dispose();
    this.archiveChanges.dispose();
    this.exits.dispose();
  }
}

function crashedError(exit: EngineExit): CladeError {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  const tail = exit.stderrTail.trim().split("\n").slice(-3).join(" | ");
  return new CladeError(
    "engine-crashed",
    `The Clade engine process stopped (${how})${tail ? `: ${tail}` : ""}.`,
    "Restart the engine (VS Code: \"Clade: Restart Engine\"; CLI: run the command again). If it keeps crashing, check the model file and the Clade log.",
    { code: exit.code, signal: exit.signal },
  );
}
