// The engine: owns the services one process needs (for now the model host) and is what the RPC
// server, the CLI and tests talk to. Never imports `vscode`.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EvolveParams, EvolveResult, LogEntry, ModelState, PingResult, ProgressValue, RunTaskParams, TrainParams, TrainResult, WorkParams } from "../protocol/engine";
import { CladeError } from "../protocol/errors";
import type { ModelInfo, ModelSpec, TestModelOptions, TestModelResult } from "../protocol/model";
import type { RunResult } from "../protocol/run";
import { versionNode, type AskEvent, type AskParams, type AskResult } from "../protocol/ask";
import type { AgentRuns } from "./agent/agentRuns";
import { archivePaths } from "./archive/archivePaths";
import { ArchiveService } from "./archive/archiveService";
import { ModelHost } from "./model/modelHost";
import { Emitter } from "./util/emitter";
import { CLADE_VERSION } from "./version";

export interface EngineOptions {
  /** Where downloaded models go (default: the CLI cache dir). */
  cacheDir?: string;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "clade", "models");
}

export class Engine {
  readonly models: ModelHost;
  // The agent runner, sessions, training, downloads and the test-model writer are loaded on first
  // use (separate chunks of dist/engine.mjs): an engine that only serves chat requests does not
  // hold their code, the task suites' schemas or the YAML and git libraries (PERFORMANCE.md, memory).
  private agentRuns?: Promise<AgentRuns>;
  /** One open archive per workspace, shared by clients and the session running on it. */
  readonly archives = new ArchiveService();
  readonly cacheDir: string;
  private readonly logs = new Emitter<LogEntry>();
  private readonly states = new Emitter<ModelState>();
  readonly onLog = this.logs.event;
  readonly onModelState = this.states.event;

  constructor(options: EngineOptions = {}) {
    this.cacheDir = options.cacheDir || defaultCacheDir();
    this.models = new ModelHost({
      defaultCacheDir: this.cacheDir,
      log: (entry) => this.logs.fire(entry),
    });
  }

  log(level: LogEntry["level"], message: string): void {
    this.logs.fire({ level, source: "engine", message });
  }

  ping(): PingResult {
    return { version: CLADE_VERSION, pid: process.pid, node: process.version, platform: `${process.platform}-${process.arch}`, memory: process.memoryUsage() };
  }

  /** Loads (or replaces) the model and tells listeners how it went. */
  async loadModel(spec: ModelSpec, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<ModelInfo> {
    this.states.fire({ state: "loading" });
    try {
      const info = await this.models.load(spec, opts);
      this.states.fire({ state: "ready", info });
      return info;
    } catch (error) {
      const clade = CladeError.is(error) ? error : undefined;
      this.states.fire({ state: "error", error: { message: error instanceof Error ? error.message : String(error), reason: clade?.reason ?? "internal", fix: clade?.fix ?? "See the engine log." } });
      throw error;
    }
  }

  async unloadModel(): Promise<void> {
    await this.models.unload();
    this.states.fire({ state: "none" });
  }

  modelInfo(): ModelInfo {
    const info = this.models.info;
    if (!info) {
      throw new CladeError("model-not-loaded", "No model is loaded in the engine.", "Load one first: set `clade.model.path` (VS Code) or pass `--model FILE` (CLI).");
    }
    return info;
  }

  /** One agent version on one task (sandbox, confined agent process, hidden-test scoring). */
  async runTask(params: Omit<RunTaskParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void } = {}): Promise<RunResult> {
    const result = await (await this.runs()).run(params, opts);
    if (!params.scripted) await this.recordRun(params.workspace, params.suite, result);
    return result;
  }

  /**
   * Keeps a run of a version outside any session with that version in the workspace's archive (when
   * there is one; "seed" is its root), never in its score. A writer held by another process only
   * costs the record, with a warning.
   */
  private async recordRun(workspace: string, suite: string, result: RunResult): Promise<void> {
    if (!existsSync(archivePaths(workspace).log)) return;
    try {
      await this.archives.withWriter(workspace, async (archive) => {
        const nodeId = versionNode(result.versionId, archive.root()?.id);
        if (archive.node(nodeId)) await archive.recordRun(nodeId, suite, result);
      });
    } catch (error) {
      this.log("warn", `The run ${result.runId} of ${result.versionId} on ${result.taskId} was not recorded in the archive: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The agent works on a copy of the user's workspace (askService.ts). */
  async ask(params: Omit<AskParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void; onEvent?: (e: AskEvent) => void } = {}): Promise<AskResult> {
    const { ask } = await import("./ask/askService");
    return ask(await this.runs(), params, opts);
  }

  /** The agent-run service, loaded on first use (it pulls in the runner and the sandbox). */
  private runs(): Promise<AgentRuns> {
    this.agentRuns ??= import("./agent/agentRuns").then(({ AgentRuns }) => new AgentRuns(this.models));
    return this.agentRuns;
  }

  async evolve(params: Omit<EvolveParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<EvolveResult> {
    const { evolve } = await import("./evolve/evolveService");
    return evolve(this.models, params, { ...opts, archives: this.archives, log: (message) => this.log("info", message) });
  }

  /** `clade worker`: loads the model (a sequence per concurrent job) and takes evaluation jobs until cancelled. */
  async work(params: Omit<WorkParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<{ done: number; failed: number }> {
    const info = await this.loadModel({ ...params.model, sequences: Math.max(params.model.sequences ?? 1, params.concurrency) }, opts);
    const { runEvalWorker } = await import("./queue/evalWorker");
    const controller = new AbortController();
    opts.signal?.addEventListener("abort", () => controller.abort(), { once: true });
    return runEvalWorker({
      url: params.queue, provider: this.models, modelHash: info.sha256 ?? info.file, modelName: info.name ?? path.basename(info.file), concurrency: params.concurrency, lockMs: params.lockMs,
      signal: controller.signal, log: (message) => this.log("info", message),
      onJob: (event) => opts.onProgress?.({ title: "Clade worker", done: event.done, message: event.error ? `job ${event.jobId} failed: ${event.error}` : `job ${event.jobId}: ${event.passed ? "passed" : "failed"} (${event.done} done)` }),
    });
  }

  /** Trains a LoRA adapter version on the archive's passed runs and evaluates it (on the archive's writer, shared with readers). */
  async train(params: Omit<TrainParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<TrainResult> {
    const { trainVersion } = await import("./train/trainService");
    const writer = await this.archives.acquireWriter(params.workspace);
    try {
      return await trainVersion(this.models, params, { ...opts, archive: writer.archive });
    } finally {
      await writer.release();
    }
  }

  async download(uri: string, cacheDir: string | undefined, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }) {
    const { downloadModel } = await import("./model/downloadModel");
    return downloadModel(uri, cacheDir || this.cacheDir, opts);
  }

  async generateTestModel(options: TestModelOptions, onProgress?: (p: ProgressValue) => void): Promise<TestModelResult> {
    const { generateTestModel } = await import("./model/testModel/generateTestModel");
    return generateTestModel(options, (p) => onProgress?.({ title: "Writing test model", done: p.done, total: p.total, percentage: (100 * p.done) / Math.max(1, p.total) }));
  }

  async dispose(): Promise<void> {
    await this.archives.dispose();
    await this.models.dispose();
    this.logs.dispose();
    this.states.dispose();
  }
}
