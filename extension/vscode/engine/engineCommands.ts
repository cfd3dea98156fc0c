// "Clade: Restart Engine", "Clade: Show Log", and the crash notification with both as actions.
import * as vscode from "vscode";
import type { CladeDeps } from "../deps";
import { showError } from "../util/showError";

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  const { engine, log } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand("clade.showLog", () => log.show(true)),
    vscode.commands.registerCommand("clade.restartEngine", async () => {
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "Restarting the Clade engine" }, () => engine.restart());
        void vscode.window.showInformationMessage("The Clade engine restarted.");
      } catch (error) {
        void showError(error, log);
      }
    }),
    // The editor never goes down with the engine: say what happened and offer the way back.
    engine.onDidCrash(({ error }) => void showError(error, log)),
  );
}
