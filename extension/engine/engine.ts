// The engine: owns the services one process needs (for now the model host) and is what the RPC
// server, the CLI and tests talk to. Never imports `vscode`.
import os from "node:os";
import path from "node:path";
import type { EvolveParams, EvolveResult, LogEntry, ModelState, PingResult, ProgressValue, TrainParams, TrainResult } from "../protocol/engine";
import { CladeError } from "../protocol/errors";
import type { ModelInfo, ModelSpec, TestModelOptions, TestModelResult } from "../protocol/model";
import { AgentRuns } from "./agent/agentRuns";
import { ArchiveService } from "./archive/archiveService";
import { evolve } from "./evolve/evolveService";
import { downloadModel } from "./model/downloadModel";
import { ModelHost } from "./model/modelHost";
import { generateTestModel } from "./model/testModel/generateTestModel";
import { trainVersion } from "./train/trainService";
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
  readonly agents: AgentRuns;
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
    this.agents = new AgentRuns(this.models);
  }

  log(level: LogEntry["level"], message: string): void {
    this.logs.fire({ level, source: "engine", message });
  }

  ping(): PingResult {
    return { version: CLADE_VERSION, pid: process.pid, node: process.version, platform: `${process.platform}-${process.arch}` };
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

  evolve(params: Omit<EvolveParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<EvolveResult> {
    return evolve(this.models, params, { ...opts, archives: this.archives });
  }

  /** Trains a LoRA adapter version on the archive's passed runs and evaluates it (on the archive's writer, shared with readers). */
  async train(params: Omit<TrainParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<TrainResult> {
    const writer = await this.archives.acquireWriter(params.workspace);
    try {
      return await trainVersion(this.models, params, { ...opts, archive: writer.archive });
    } finally {
      await writer.release();
    }
  }

  download(uri: string, cacheDir: string | undefined, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }) {
    return downloadModel(uri, cacheDir || this.cacheDir, opts);
  }

  generateTestModel(options: TestModelOptions, onProgress?: (p: ProgressValue) => void): Promise<TestModelResult> {
    return generateTestModel(options, (p) => onProgress?.({ title: "Writing test model", done: p.done, total: p.total, percentage: (100 * p.done) / Math.max(1, p.total) }));
  }

  async dispose(): Promise<void> {
    await this.archives.dispose();
    await this.models.dispose();
    this.logs.dispose();
    this.states.dispose();
  }
}
