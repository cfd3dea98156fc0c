// Shows an error the way every Clade command does: the problem and its fix in one notification,
// with the actions that fix it, and the full text in the log. Cancellations are not errors.
import * as vscode from "vscode";
import { CladeError, type ErrorReason } from "../../protocol/errors";

interface ErrorAction {
  title: string;
  run: () => Thenable<unknown>;
}

const SHOW_LOG: ErrorAction = { title: "Show Log", run: () => vscode.commands.executeCommand("clade.showLog") };
const RESTART: ErrorAction = { title: "Restart Engine", run: () => vscode.commands.executeCommand("clade.restartEngine") };
const SELECT_MODEL: ErrorAction = { title: "Select Model…", run: () => vscode.commands.executeCommand("clade.selectModel") };
const OPEN_SETTINGS: ErrorAction = { title: "Open Settings", run: () => vscode.commands.executeCommand("workbench.action.openSettings", "clade.model") };

function actionsFor(reason: ErrorReason): ErrorAction[] {
  switch (reason) {
    case "engine-crashed":
      return [RESTART, SHOW_LOG];
    case "invalid-settings":
      return [SELECT_MODEL, OPEN_SETTINGS];
    case "model-missing":
    case "model-not-gguf":
    case "model-corrupt":
    case "model-unsupported-architecture":
      return [SELECT_MODEL, SHOW_LOG];
    case "out-of-memory":
    case "no-binary":
      return [OPEN_SETTINGS, SHOW_LOG];
    default:
      return [SHOW_LOG];
  }
}

export function toCladeError(error: unknown): CladeError {
  if (CladeError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CladeError("internal", `Unexpected error: ${message}`, "This is a bug in Clade; the Clade log has the details.", undefined, { cause: error });
}

/** Logs the error and shows it with its fix; resolves once the user picked an action (or none). */
export async function showError(error: unknown, log: vscode.LogOutputChannel): Promise<void> {
  const clade = toCladeError(error);
  if (clade.reason === "cancelled") {
    log.info(clade.message);
    return;
  }
  log.error(`${clade.describe()}${clade.reason === "internal" && clade.cause instanceof Error ? `\n${clade.cause.stack}` : ""}`);
  const actions = actionsFor(clade.reason);
  const picked = await vscode.window.showErrorMessage(`${clade.message} ${clade.fix}`, ...actions.map((a) => a.title));
  await actions.find((a) => a.title === picked)?.run();
}
