// Runs self-improvement sessions from VS Code: reads the settings, loads the model, sends
// Requests.evolve inside a cancellable withProgress (Cancel and "Stop Session" both abort it, which
// the engine turns into an AbortSignal), and keeps the live state the Sessions view and the status
// bar show. Refuses in an untrusted workspace before anything is sent.
import * as vscode from "vscode";
import { Requests, type EvolveResult, type ProgressValue } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { ArchiveModel } from "../archive/archiveModel";
import type { ModelConfiguration } from "../model/modelConfiguration";
import type { ModelService } from "../model/modelService";
import { Disposable } from "../util/disposable";
import { withCancellableProgress } from "../util/withCancellableProgress";
import { requireTrusted, sessionParams, type RawSessionSettings, type SessionChoices, type SessionParams } from "./sessionSettings";

export interface LiveSession {
  params: SessionParams;
  startedAt: number;
  state: "running" | "finished" | "failed" | "cancelled";
  progress?: ProgressValue;
  result?: EvolveResult;
  error?: string;
}

export const SESSION_RUNNING_CONTEXT_KEY = "clade.sessionRunning";

export function readSessionSettings(): RawSessionSettings {
  const c = vscode.workspace.getConfiguration("clade");
  return {
    suite: c.get("session.suite"), strategy: c.get("session.strategy"), budgetEvaluations: c.get("session.budgetEvaluations"), budgetTokens: c.get("session.budgetTokens"),
    budgetMinutes: c.get("session.budgetMinutes"), budgetExpansions: c.get("session.budgetExpansions"), parallel: c.get("session.parallel"), seed: c.get("session.seed"),
    gateTasks: c.get("session.gateTasks"), maxTurns: c.get("agent.maxTurns"), maxTokens: c.get("agent.maxTokens"), timeoutSeconds: c.get("agent.timeoutSeconds"),
    commandTimeoutSeconds: c.get("agent.commandTimeoutSeconds"), testCommand: c.get("tests.command"), sandbox: c.get("sandbox.mode"), queue: c.get("session.queue"),
  };
}

export class SessionService extends Disposable {
  private live: LiveSession | undefined;
  private controller: AbortController | undefined;
  private readonly changeEmitter = this.register(new vscode.EventEmitter<LiveSession | undefined>());
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly archive: ArchiveModel,
    private readonly models: ModelService,
    private readonly configuration: ModelConfiguration,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
  }

  /** The running session, or the last one this window ran. */
  get current(): LiveSession | undefined {
    return this.live;
  }

  get running(): boolean {
    return this.live?.state === "running";
  }

  /** Starts (or, with the same archive, resumes) a session; resolves with its summary. */
  async start(choices: SessionChoices = {}): Promise<EvolveResult> {
    requireTrusted(vscode.workspace.isTrusted, "Starting a self-improvement session");
    if (this.running) throw new CladeError("invalid-argument", "A session is already running in this window.", "Stop it first (\"Clade: Stop Session\"), or wait for it to finish.");
    const params = sessionParams(readSessionSettings(), choices, this.archive.requireWorkspace(), vscode.workspace.isTrusted);
    const controller = new AbortController();
    this.controller = controller;
    const live: LiveSession = { params, startedAt: Date.now(), state: "running" };
    this.update(live);
    this.log.info(`Session starting: ${params.strategy} on ${params.suite}, budget ${params.budgetEvaluations} evaluations, parallel ${params.parallel}.`);
    try {
      const result = await withCancellableProgress("Clade: self-improvement session", async (handle) => {
        handle.signal.addEventListener("abort", () => controller.abort(), { once: true });
        const onProgress = (value: ProgressValue) => {
          handle.onProgress(value);
          this.update({ ...live, progress: value });
        };
        const info = await this.models.ensureLoaded({ signal: controller.signal, onProgress });
        const model = { ...this.configuration.spec(), model: info.file };
        return this.archive.request(Requests.evolve, { ...params, model }, { signal: controller.signal, onProgress });
      });
      this.update({ ...this.live!, state: "finished", result });
      this.log.info(`Session ${result.sessionId} stopped (${result.stopReason}): ${result.evaluationsDone} evaluations + ${result.gateRuns} gate runs of ${result.budget}, ${result.nodes} version${result.nodes === 1 ? "" : "s"}, best ${result.best ? `${result.best.nodeId} ${result.best.passed}/${result.best.evaluated}` : "none"}.`);
      return result;
    } catch (error) {
      const cancelled = CladeError.is(error, "cancelled") || controller.signal.aborted;
      this.update({ ...this.live!, state: cancelled ? "cancelled" : "failed", error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      if (this.controller === controller) this.controller = undefined;
      void this.archive.refresh();
    }
  }

  /** Stops the running session; what it finished stays in the archive (resume continues it). */
  stop(): boolean {
    if (!this.controller) return false;
    this.log.info("Stopping the session.");
    this.controller.abort();
    return true;
  }

  private update(live: LiveSession): void {
    this.live = live;
    void vscode.commands.executeCommand("setContext", SESSION_RUNNING_CONTEXT_KEY, live.state === "running");
    this.changeEmitter.fire(live);
  }

  override dispose(): void {
    this.controller?.abort();
    super.dispose();
  }
}
