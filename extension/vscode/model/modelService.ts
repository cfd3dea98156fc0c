// Loads the configured model into the engine: validates the settings, downloads an hf:/http(s)
// model into global storage first (remembering where it went, so a later load works offline), and
// reuses the loaded model when the settings have not changed.
import fs from "node:fs";
import * as vscode from "vscode";
import { Requests, type ProgressValue } from "../../protocol/engine";
import type { ModelInfo, ModelSpec } from "../../protocol/model";
import type { EngineManager } from "../engine/engineManager";
import { Disposable } from "../util/disposable";
import type { ModelConfiguration } from "./modelConfiguration";

const DOWNLOADS_KEY = "clade.downloads";

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress?: (value: ProgressValue) => void;
}

export class ModelService extends Disposable {
  private loadedKey: string | undefined;
  private inFlight: { key: string; promise: Promise<ModelInfo> } | undefined;

  constructor(
    private readonly engine: EngineManager,
    private readonly configuration: ModelConfiguration,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    // Any state but "ready" means the engine no longer holds what we loaded.
    this.register(engine.onDidChangeModelState((s) => s.state !== "ready" && s.state !== "loading" && (this.loadedKey = undefined)));
  }

  /** The loaded model's info, loading (and downloading) the configured one if needed. */
  async ensureLoaded(options: LoadOptions = {}): Promise<ModelInfo> {
    const spec = this.configuration.spec();
    const key = JSON.stringify(spec);
    const current = this.engine.model;
    if (this.loadedKey === key && current.state === "ready" && current.info) return current.info;
    if (this.inFlight?.key === key) return this.inFlight.promise;
    const promise = this.load(spec, options);
    this.inFlight = { key, promise };
    try {
      const info = await promise;
      this.loadedKey = key;
      return info;
    } finally {
      if (this.inFlight?.promise === promise) this.inFlight = undefined;
    }
  }

  private async load(spec: ModelSpec, options: LoadOptions): Promise<ModelInfo> {
    const client = await this.engine.client();
    const file = await this.localFile(spec, options);
    this.log.info(`Loading model ${file}`);
    const info = await client.request(Requests.loadModel, { ...spec, model: file }, options);
    this.log.info(`Model ready: ${info.architecture}, ${info.parameterCount} parameters, ${info.backend}, ${info.threads} thread(s), ${info.loadMs} ms.`);
    return info;
  }

  /** A local path for the model: itself, or where its download lies in global storage. */
  private async localFile(spec: ModelSpec, options: LoadOptions): Promise<string> {
    const model = spec.model;
    if (!/^(hf:|https?:\/\/)/i.test(model)) return model;
    const downloads = this.state.get<Record<string, string>>(DOWNLOADS_KEY, {});
    const known = downloads[model];
    if (known && fs.existsSync(known)) return known;
    const client = await this.engine.client();
    this.log.info(`Downloading ${model}`);
    const result = await client.request(Requests.download, { uri: model, cacheDir: spec.cacheDir }, options);
    this.log.info(`${result.cached ? "Already downloaded" : "Downloaded"}: ${result.file} (${result.sizeBytes} bytes)`);
    await this.state.update(DOWNLOADS_KEY, { ...downloads, [model]: result.file });
    return result.file;
  }
}
