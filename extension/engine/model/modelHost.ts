// The engine's model host: one loaded model, one context with N sequences shared by concurrent
// chat requests. Loads are serialized; a load that fails validation leaves the loaded model alone.
//
//   load(spec) ── resolveModelSource (download) ── validateModelFile / validateAdapters
//              ── backend (getLlama, never compiles) ── loadModelFile ── ModelContext (+ LoRA)
//   chat(params) ── ModelContext ── SequencePool ── runChat
import { stat } from "node:fs/promises";
import type { LogEntry, ProgressValue } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { ChatParams, ChatResult, LoraSpec, ModelInfo, ModelSpec } from "../../protocol/model";
import { getLlamaBackend, subscribeLlamaLog } from "./backend";
import { resolveThreads } from "./defaultThreads";
import { fileSha256 } from "./fileSha256";
import { LlamaLogRelay } from "./llamaLogRelay";
import { loadModelFile, type LoadedModel } from "./loadedModel";
import { ModelContext, type ContextSettings } from "./modelContext";
import { describeBackendChoice } from "./hardware";
import { buildModelInfo } from "./modelInfo";
import { autoContextMax, autoContextMin, normalizeLora, normalizeSpec, sameLora, type NormalizedSpec } from "./modelSpec";
import { RemoteModel } from "./remote/remoteModel";
import { isRemoteModel } from "./remote/remoteSpec";
import { resolveModelSource } from "./resolveModelSource";
import { validateAdapters } from "./validateAdapters";
import { validateModelFile } from "./validateGguf";

export interface ModelHostOptions {
  log: (entry: LogEntry) => void;
  defaultCacheDir: string;
  /** Lowest llama.cpp log level forwarded to `log` (default "warn"). */
  llamaLogLevel?: LogEntry["level"];
}

type LoadOptions = { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void };

export class ModelHost {
  private readonly relay: LlamaLogRelay;
  private readonly unsubscribeLog: () => void;
  private loaded?: LoadedModel;
  private context?: ModelContext;
  /** A model on an inference server (`openai:` URI) instead of a loaded file. */
  private remote?: RemoteModel;
  private current?: ModelInfo;
  /** The spec of the last successful load (useLora reloads it with another adapter list). */
  private lastSpec?: ModelSpec;
  private queue: Promise<unknown> = Promise.resolve();
  private disposing?: Promise<void>;

  constructor(private readonly options: ModelHostOptions) {
    this.relay = new LlamaLogRelay(options.log, options.llamaLogLevel ?? "warn");
    this.unsubscribeLog = subscribeLlamaLog(this.relay.logger);
  }

  get info(): ModelInfo | undefined {
    return this.current;
  }

  /** Loads `spec`, replacing what is loaded (requests running on a replaced context are aborted). */
  load(spec: ModelSpec, opts: LoadOptions = {}): Promise<ModelInfo> {
    return this.serialize(() => this.doLoad(spec, opts));
  }

  /**
   * Attaches exactly these LoRA adapters to the loaded model. Adapters are attached per context, so
   * a different list recreates the context (the model stays loaded; requests running on the old
   * context are aborted, and its KV cache is lost); the same list is a no-op.
   */
  useLora(lora: readonly LoraSpec[], opts: LoadOptions = {}): Promise<ModelInfo> {
    return this.serialize(async () => {
      if (this.remote && lora.length) throw new CladeError("invalid-argument", "LoRA adapters cannot be attached to a model on an inference server.", "Run adapter versions with the in-process model (set the model to the base GGUF file).");
      if (this.remote && this.current) return this.current;
      if (!this.current || !this.lastSpec || !this.context) throw notLoaded();
      if (sameLora(lora.map(normalizeLora), this.context.settings.lora)) return this.current;
      return this.doLoad({ ...this.lastSpec, lora: [...lora] }, opts);
    });
  }

  async chat(params: ChatParams, opts: { signal?: AbortSignal; onText?: (chunk: string) => void } = {}): Promise<ChatResult> {
    const startedAt = performance.now();
    if (this.remote) return this.remote.chat(params, opts);
    const context = this.context;
    if (!context || !this.current) throw notLoaded();
    if (params.lora && !sameLora(params.lora.map(normalizeLora), context.settings.lora)) {
      throw new CladeError(
        "invalid-argument",
        "The chat request asks for other LoRA adapters than the loaded context has.",
        "Load the model with those adapters first (adapters are attached per context), or leave lora out of the request.",
        { requested: params.lora, loaded: context.settings.lora },
      );
    }
    return context.chat(params, { ...opts, startedAt });
  }

  endSession(sessionId: string): void {
    this.context?.endSession(sessionId);
  }

  unload(): Promise<void> {
    return this.serialize(() => this.release());
  }

  /** Unloads everything; idempotent. (The process-wide llama.cpp binding stays, see backend.ts.) */
  dispose(): Promise<void> {
    this.disposing ??= this.serialize(async () => {
      await this.release();
      this.unsubscribeLog();
    });
    return this.disposing;
  }

  private async doLoad(spec: ModelSpec, opts: LoadOptions): Promise<ModelInfo> {
    if (this.disposing) throw new CladeError("internal", "The model host has been disposed.", "Restart the engine.");
    const started = performance.now();
    if (isRemoteModel(spec.model)) return this.connectRemote(spec, opts);
    const settings = normalizeSpec(spec);
    const cacheDir = settings.cacheDir ?? this.options.defaultCacheDir;
    const file = await resolveModelSource(settings.model, cacheDir, opts);
    // Everything that can be checked is checked before the loaded model is touched.
    const fileInfo = await validateModelFile(file);
    if (settings.lora.length > 0) await validateAdapters(settings.lora, fileInfo);
    const sizeBytes = (await stat(file)).size;
    const sha256 = await fileSha256(file, this.options.defaultCacheDir, opts);
    const loaded = await this.ensureModel({ file, fileInfo, sizeBytes, sha256 }, settings, opts);
    const context = await this.ensureContext(loaded, settings, opts);
    const reason = await describeBackendChoice(settings.gpu, loaded.backend);
    this.current = buildModelInfo({
      file,
      sha256,
      sizeBytes,
      model: loaded.model,
      context: context.context,
      sequences: context.settings.sequences,
      threads: context.settings.threads,
      backend: loaded.backend.backend,
      backendReason: reason,
      chatWrapper: loaded.chatWrapper,
      lora: context.settings.lora,
      contextReason: contextReason(context.settings.contextPerSequence, context.context.contextSize, loaded.model.trainContextSize),
      loadMs: performance.now() - started,
    });
    this.lastSpec = spec;
    this.log("info", `Model ready: ${file} (${this.current.backend}, ${this.current.threads} threads, ${this.current.sequences}x${context.context.contextSize} tokens, wrapper ${this.current.chatWrapper}). Context: ${this.current.contextReason}`);
    return this.current;
  }

  /** An inference server instead of a file: probed, nothing loaded in this process. */
  private async connectRemote(spec: ModelSpec, opts: LoadOptions): Promise<ModelInfo> {
    const remote = await RemoteModel.connect(spec, { apiKey: spec.apiKey ?? process.env.CLADE_API_KEY, signal: opts.signal });
    await this.release();
    this.remote = remote;
    this.current = remote.info;
    this.lastSpec = spec;
    this.log("info", `Model ready: ${remote.info.name ?? "(the server's model)"} on ${remote.info.backendReason}. Context: ${remote.info.contextReason}`);
    return this.current;
  }

  private async ensureModel(file: Pick<LoadedModel, "file" | "fileInfo" | "sizeBytes" | "sha256">, settings: NormalizedSpec, opts: LoadOptions): Promise<LoadedModel> {
    const current = this.loaded;
    if (current && current.file === file.file && current.sha256 === file.sha256 && current.gpuLayers === settings.gpuLayers && current.gpu === settings.gpu) {
      return current;
    }
    await this.release();
    this.log("info", `Loading model ${file.file} (gpu ${settings.gpu}, gpuLayers ${settings.gpuLayers}).`);
    const backend = await getLlamaBackend(settings.gpu, this.relay.llamaLogLevel);
    this.loaded = await loadModelFile({ ...file, gpuLayers: settings.gpuLayers, gpu: settings.gpu, backend }, this.relay, opts);
    return this.loaded;
  }

  private async ensureContext(loaded: LoadedModel, spec: NormalizedSpec, opts: LoadOptions): Promise<ModelContext> {
    const wanted: ContextSettings = {
      contextPerSequence: contextRequest(spec, loaded.model.trainContextSize),
      sequences: spec.sequences,
      threads: resolveThreads(spec.threads, loaded.backend.llama.cpuMathCores),
      lora: spec.lora,
    };
    const current = this.context;
    if (current && sameContext(current.settings, wanted)) return current;
    this.context = undefined;
    this.current = undefined;
    await current?.dispose();
    this.log("info", `Creating context: ${wanted.sequences}x${describeRequest(wanted.contextPerSequence)} tokens, ${wanted.threads} threads, ${wanted.lora.length} LoRA adapter(s).`);
    this.context = await ModelContext.create(loaded.model, wanted, { chatWrapper: loaded.chatWrapper, functionCalling: loaded.functionCalling, relay: this.relay }, opts);
    return this.context;
  }

  /** Disposes the context (aborting its requests), its sequences and the model. */
  private async release(): Promise<void> {
    const { context, loaded } = this;
    this.current = undefined;
    this.context = undefined;
    this.loaded = undefined;
    this.remote = undefined;
    await context?.dispose();
    if (loaded && !loaded.model.disposed) await loaded.model.dispose();
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private log(level: LogEntry["level"], message: string): void {
    try {
      this.options.log({ level, source: "engine", message });
    } catch {
      // ignore a broken log sink
    }
  }
}

/** What to ask node-llama-cpp for per sequence: the user's size, or a range it fits to free memory. */
export function contextRequest(spec: Pick<NormalizedSpec, "contextSize" | "contextPerSequence" | "sequences">, trainContextSize: number): ContextSettings["contextPerSequence"] {
  if (spec.contextPerSequence !== undefined) return spec.contextPerSequence;
  if (spec.contextSize !== undefined) return Math.floor(spec.contextSize / spec.sequences);
  const max = Math.min(trainContextSize > 0 ? trainContextSize : autoContextMax, autoContextMax);
  return { min: Math.min(autoContextMin, max), max };
}

function describeRequest(request: ContextSettings["contextPerSequence"]): string {
  return typeof request === "number" ? String(request) : `auto(${request.min}..${request.max})`;
}

export function contextReason(request: ContextSettings["contextPerSequence"], actual: number, trainContextSize: number): string {
  if (typeof request === "number") return `${actual} tokens per sequence as set (trained for ${trainContextSize}).`;
  const why = actual >= request.max
    ? request.max < trainContextSize ? `capped at ${request.max} (the model was trained for ${trainContextSize})` : `the model's trained length`
    : `what fits in free memory beside the weights (asked up to ${request.max})`;
  return `${actual} tokens per sequence: ${why}. Set clade.model.contextSize (CLI --context-per-sequence) to choose.`;
}

function sameContext(a: ContextSettings, b: ContextSettings): boolean {
  return JSON.stringify(a.contextPerSequence) === JSON.stringify(b.contextPerSequence) && a.sequences === b.sequences && a.threads === b.threads && sameLora(a.lora, b.lora);
}

function notLoaded(): CladeError {
  return new CladeError("model-not-loaded", "No model is loaded.", "Load a model first (VS Code: set clade.model.path; CLI: --model FILE).");
}
