// "Clade: Show Model Info": loads the configured model (cancellable progress → AbortSignal to the
// engine) and shows what the engine reports about it in a read-only Markdown document.
import * as vscode from "vscode";
import type { ModelInfo } from "../../protocol/model";
import type { CladeDeps } from "../deps";
import { showError } from "../util/showError";
import { withCancellableProgress } from "../util/withCancellableProgress";
import { modelInfoMarkdown } from "./modelInfoMarkdown";

export const SHOW_MODEL_INFO = "clade.showModelInfo";

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(vscode.commands.registerCommand(SHOW_MODEL_INFO, () => showModelInfo(deps)));
}

/** Resolves with the info shown, or undefined when it failed or was cancelled (the error was shown). */
export async function showModelInfo(deps: CladeDeps): Promise<ModelInfo | undefined> {
  try {
    const info = await withCancellableProgress("Clade: loading the model", (handle) => deps.models.ensureLoaded(handle));
    await deps.infoDocument.show(modelInfoMarkdown(info, deps.configuration.modelPath));
    return info;
  } catch (error) {
    void showError(error, deps.log);
    return undefined;
  }
}
