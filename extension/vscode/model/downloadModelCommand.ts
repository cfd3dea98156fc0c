// "Clade: Download Recommended Model": the catalog's recommendation for this machine (GPU memory,
// else RAM and CPU speed; or a pick among the models that fit), downloaded by the engine in a cancellable progress notification
// (bytes and percent), and only once the file is complete and checked set as `clade.model.path`
// (the downloaded file, not the hf: URI) and loaded. A failure or Cancel changes no setting.
import * as vscode from "vscode";
import catalogJson from "../../../native-models/catalog.json";
import { Requests } from "../../protocol/engine";
import type { ModelInfo } from "../../protocol/model";
import type { CladeDeps } from "../deps";
import { guarded } from "../util/guarded";
import { withCancellableProgress } from "../util/withCancellableProgress";
import { fitCatalog, formatBytes, parseCatalog, type FittedEntry } from "./catalog";
import { machineProfile } from "./machineProfile";

export const DOWNLOAD_MODEL = "clade.downloadRecommendedModel";

/** The quick pick's items: the recommendation first, each saying how it fits this machine and why pick it. */
export function downloadItems(fitted: readonly FittedEntry[]): (vscode.QuickPickItem & { fitted: FittedEntry })[] {
  return fitted
    .filter((f) => f.fit !== "too-large")
    .sort((a, b) => Number(b.recommended) - Number(a.recommended) || a.entry.sizeBytes - b.entry.sizeBytes)
    .map((f) => ({ label: `${f.recommended ? "$(star-full) " : ""}${f.entry.name} ${f.entry.quantization}`, description: `${formatBytes(f.entry.sizeBytes)} download`, detail: `${f.reason}. ${f.entry.why}`, fitted: f }));
}

async function chooseEntry(deps: CladeDeps): Promise<FittedEntry | undefined> {
  const machine = await machineProfile(deps);
  const items = downloadItems(fitCatalog(parseCatalog(catalogJson), machine));
  if (!items.length) {
    void vscode.window.showWarningMessage(`No catalog model fits this machine (${machine.summary}). Select a smaller GGUF file with "Clade: Select Model…".`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: `Download a model (this machine: ${machine.summary})`, matchOnDetail: true });
  return picked?.fitted;
}

async function download(deps: CladeDeps): Promise<ModelInfo | undefined> {
  const entry = await chooseEntry(deps);
  if (!entry) return undefined;
  deps.log.info(`Downloading ${entry.entry.name} (${entry.entry.uri}).`);
  const info = await withCancellableProgress(`Clade: downloading ${entry.entry.name}`, async (handle) => {
    const downloaded = await deps.archive.request(Requests.download, { uri: entry.entry.uri }, { signal: handle.signal, onProgress: handle.onProgress });
    deps.log.info(`${entry.entry.name}: ${downloaded.cached ? "already downloaded" : "downloaded"} to ${downloaded.file} (${formatBytes(downloaded.sizeBytes)}); clade.model.path set to it.`);
    await deps.configuration.setModelPath(downloaded.file);
    return deps.models.ensureLoaded(handle);
  });
  void vscode.window.showInformationMessage(`${entry.entry.name} is downloaded and loaded.`);
  return info;
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(vscode.commands.registerCommand(DOWNLOAD_MODEL, guarded(deps.log, () => download(deps))));
}
