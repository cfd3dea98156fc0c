// Reads `clade.model.*`, keeps the `clade.modelConfigured` context key (welcome views) up to date,
// and tells listeners when the model settings change.
import * as vscode from "vscode";
import type { ModelSpec } from "../../protocol/model";
import { Disposable } from "../util/disposable";
import { isModelConfigured, modelSpecFromSettings, validateModelSettings, type RawModelSettings, type SettingProblem } from "./modelSettings";

export const MODEL_SECTION = "clade.model";
export const MODEL_CONFIGURED_CONTEXT_KEY = "clade.modelConfigured";

export class ModelConfiguration extends Disposable {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;

  /** `apiKey`: the inference server's key (SecretStorage, kept in memory by serverApiKey.ts), added to `openai:` specs only. */
  constructor(
    private readonly cacheDir: string,
    private readonly apiKey: () => string | undefined = () => undefined,
  ) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(MODEL_SECTION) && !event.affectsConfiguration("clade.session.parallel")) return;
      void this.updateContextKey();
      this.changeEmitter.fire();
    }));
    void this.updateContextKey();
  }

  raw(): RawModelSettings {
    const config = vscode.workspace.getConfiguration(MODEL_SECTION);
    return {
      path: config.get("path"),
      gpu: config.get("gpu"),
      gpuLayers: config.get("gpuLayers"),
      contextSize: config.get("contextSize"),
      threads: config.get("threads"),
      sequences: config.get("sequences"),
      parallel: vscode.workspace.getConfiguration("clade.session").get("parallel"),
    };
  }

  get configured(): boolean {
    return isModelConfigured(this.raw());
  }

  /** The configured `clade.model.path`, as written. */
  get modelPath(): string {
    const value = this.raw().path;
    return typeof value === "string" ? value.trim() : "";
  }

  problems(): SettingProblem[] {
    return validateModelSettings(this.raw(), { cacheDir: this.cacheDir }).problems;
  }

  /** The spec to load; throws an "invalid-settings" CladeError naming each bad setting and its fix. */
  spec(): ModelSpec {
    const spec = modelSpecFromSettings(this.raw(), { cacheDir: this.cacheDir });
    const key = spec.model.startsWith("openai:") ? this.apiKey() : undefined;
    return key ? { ...spec, apiKey: key } : spec;
  }

  /** Writes `clade.model.path` for this machine (user settings). */
  async setModelPath(value: string): Promise<void> {
    await vscode.workspace.getConfiguration(MODEL_SECTION).update("path", value, vscode.ConfigurationTarget.Global);
  }

  private async updateContextKey(): Promise<void> {
    await vscode.commands.executeCommand("setContext", MODEL_CONFIGURED_CONTEXT_KEY, this.configured);
  }
}
