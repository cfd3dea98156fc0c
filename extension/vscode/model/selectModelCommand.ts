// "Clade: Select Model…": a quick pick of a local GGUF file, an hf: URI, or a recommended model from
// native-models/catalog.json (each says how it fits this machine: GPU memory, RAM, estimated CPU speed). Writes `clade.model.path`
// to the user settings; an hf: model is downloaded when it is first loaded.
import * as vscode from "vscode";
import catalogJson from "../../../native-models/catalog.json";
import type { CladeDeps } from "../deps";
import { showError } from "../util/showError";
import { fitCatalog, formatBytes, formatParameters, parseCatalog, type FittedEntry } from "./catalog";
import { machineProfile } from "./machineProfile";
import { isValidHfUri } from "./modelSettings";
import { SHOW_MODEL_INFO } from "./showModelInfoCommand";

export const SELECT_MODEL = "clade.selectModel";

type PickItem = vscode.QuickPickItem & { choose?: () => Promise<string | undefined> };

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(vscode.commands.registerCommand(SELECT_MODEL, () => selectModel(deps)));
}

export async function selectModel(deps: CladeDeps): Promise<string | undefined> {
  try {
    const picked = await vscode.window.showQuickPick(buildItems(deps), {
      title: "Clade: Select Model",
      placeHolder: deps.configuration.modelPath ? `Current: ${deps.configuration.modelPath}` : "Choose the GGUF model Clade runs",
      matchOnDescription: true,
      matchOnDetail: true,
    });
    const value = await picked?.choose?.();
    if (!value) return undefined;
    await deps.configuration.setModelPath(value);
    deps.log.info(`clade.model.path set to ${value}`);
    void vscode.window.showInformationMessage(`Clade will use ${value}.`, "Load Now").then((action) => action && vscode.commands.executeCommand(SHOW_MODEL_INFO));
    return value;
  } catch (error) {
    void showError(error, deps.log);
    return undefined;
  }
}

async function buildItems(deps: CladeDeps): Promise<PickItem[]> {
  const machine = await machineProfile(deps);
  const fitted = fitCatalog(parseCatalog(catalogJson), machine);
  return [
    { label: "$(folder-opened) Browse for a GGUF file…", choose: browseForFile },
    { label: "$(cloud-download) Enter an hf: URI…", choose: enterHfUri },
    { label: `Recommended models (this machine: ${machine.summary})`, kind: vscode.QuickPickItemKind.Separator },
    ...[...fitted].sort(byRecommendation).map(catalogItem),
  ];
}

function byRecommendation(a: FittedEntry, b: FittedEntry): number {
  const rank = (f: FittedEntry) => (f.recommended ? 0 : f.fit === "fits" ? 1 : f.fit === "tight" ? 2 : 3);
  return rank(a) - rank(b) || a.entry.parameters - b.entry.parameters || a.entry.sizeBytes - b.entry.sizeBytes;
}

function catalogItem({ entry, fit, recommended, reason }: FittedEntry): PickItem {
  const icon = recommended ? "$(star-full)" : fit === "fits" ? "$(check)" : fit === "tight" ? "$(warning)" : "$(circle-slash)";
  return {
    label: `${icon} ${entry.name} ${entry.quantization}`,
    description: `${formatBytes(entry.sizeBytes)} download · ${formatBytes(entry.ramBytes)} RAM / ${formatBytes(entry.vramBytes)} VRAM`,
    detail: `${reason}. ${formatParameters(entry.parameters)} parameters, ${entry.contextLength.toLocaleString("en-US")}-token context. ${entry.why}`,
    choose: async () => entry.uri,
  };
}

async function browseForFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: "Select a GGUF model",
    canSelectMany: false,
    openLabel: "Use This Model",
    filters: { "GGUF models": ["gguf"], "All files": ["*"] },
  });
  return picked?.[0]?.fsPath;
}

async function enterHfUri(): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: "Hugging Face model URI",
    prompt: "hf:<user>/<repo>:<quant> or hf:<user>/<repo>/<file>.gguf. Clade downloads it into its global storage on first load.",
    placeHolder: "hf:bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF:Q4_K_M",
    ignoreFocusOut: true,
    validateInput: (text) => (isValidHfUri(text.trim()) ? undefined : "Write hf:<user>/<repo>:<quant> or hf:<user>/<repo>/<file>.gguf"),
  });
  return value?.trim() || undefined;
}
