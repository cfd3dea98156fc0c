// "Clade: Download Recommended Model": the catalog's recommendation for this machine's RAM (or a
// pick among the models that fit), set as `clade.model.path` and downloaded (then loaded) in a
// cancellable progress notification.
import os from "node:os";
import * as vscode from "vscode";
import catalogJson from "../../../native-models/catalog.json";
import type { ModelInfo } from "../../protocol/model";
import type { CladeDeps } from "../deps";
import { guarded } from "../util/guarded";
import { withCancellableProgress } from "../util/withCancellableProgress";
import { fitCatalog, formatBytes, parseCatalog, type FittedEntry } from "./catalog";

export const DOWNLOAD_MODEL = "clade.downloadRecommendedModel";

async function chooseEntry(): Promise<FittedEntry | undefined> {
  const fitted = fitCatalog(parseCatalog(catalogJson), { totalRamBytes: os.totalmem() }).filter((f) => f.fit !== "too-large");
  const items = fitted
    .sort((a, b) => Number(b.recommended) - Number(a.recommended) || a.entry.sizeBytes - b.entry.sizeBytes)
    .map((f) => ({ label: `${f.recommended ? "$(star-full) " : ""}${f.entry.name} ${f.entry.quantization}`, description: `${formatBytes(f.entry.sizeBytes)} download`, detail: f.entry.why, fitted: f }));
  if (!items.length) {
    void vscode.window.showWarningMessage(`No catalog model fits this machine's ${formatBytes(os.totalmem())} RAM. Select a smaller GGUF file with "Clade: Select Model…".`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: `Download a model (this machine: ${formatBytes(os.totalmem())} RAM)` });
  return picked?.fitted;
}

async function download(deps: CladeDeps): Promise<ModelInfo | undefined> {
  const entry = await chooseEntry();
  if (!entry) return undefined;
  await deps.configuration.setModelPath(entry.entry.uri);
  deps.log.info(`clade.model.path set to ${entry.entry.uri}; downloading.`);
  const info = await withCancellableProgress(`Clade: downloading ${entry.entry.name}`, (handle) => deps.models.ensureLoaded(handle));
  void vscode.window.showInformationMessage(`${entry.entry.name} is downloaded and loaded.`);
  return info;
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(vscode.commands.registerCommand(DOWNLOAD_MODEL, guarded(deps.log, () => download(deps))));
}
