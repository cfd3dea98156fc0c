// What the one Clade status-bar item shows for a given engine and model state. Pure (no `vscode`
// import): statusBar.ts applies it.
import type { ModelState } from "../../protocol/engine";
import type { Backend } from "../../protocol/model";

export type EngineStatusKind = "stopped" | "starting" | "running" | "crashed";

export interface StatusInput {
  engine: EngineStatusKind;
  model: ModelState;
  modelConfigured: boolean;
  /** Name shown when ready (ModelInfo.name or the file name). */
  modelName?: string;
  /** A self-improvement session running in this window. */
  session?: { done: number; total: number; best: string | null };
}

export interface StatusPresentation {
  text: string;
  tooltip: string;
  /** Command id run on click. */
  command: string;
  severity: "normal" | "warning" | "error";
}

/**
 * A running session's progress lives in its notification, which VS Code itself mirrors in the
 * status bar while the notification is hidden; this item therefore never repeats the count (two
 * items with the same progress, issue 15.7). It keeps showing the model and says in its tooltip
 * that a session runs and where its progress is.
 */
export function statusPresentation(input: StatusInput): StatusPresentation {
  const shown = modelPresentation(input);
  if (!input.session || input.engine !== "running") return shown;
  const { done, total, best } = input.session;
  return { ...shown, tooltip: `${shown.tooltip}\nA self-improvement session is running (${done} of ${total} evaluations${best ? `, best version ${best}` : ""}): its progress is in its notification and the Sessions view.` };
}

function modelPresentation(input: StatusInput): StatusPresentation {
  if (input.engine === "crashed") {
    return { text: "$(error) Clade: engine stopped", tooltip: "The Clade engine stopped unexpectedly. Click to show the log; run \"Clade: Restart Engine\" to start it again.", command: "clade.showLog", severity: "error" };
  }
  if (input.engine === "starting") {
    return { text: "$(loading~spin) Clade: starting", tooltip: "Starting the Clade engine…", command: "clade.showLog", severity: "normal" };
  }
  switch (input.model.state) {
    case "loading":
      return { text: "$(loading~spin) Clade: loading model", tooltip: "Loading the model…", command: "clade.showLog", severity: "normal" };
    case "ready": {
      const info = input.model.info;
      const backend: Backend | undefined = info?.backend;
      const name = input.modelName ?? "model";
      return { text: `$(hubot) ${name}${backend ? ` · ${backend}` : ""}`, tooltip: `Clade: ${name} is loaded${backend ? ` (${backend}, ${info?.threads} thread(s))` : ""}. Click for model info.`, command: "clade.showModelInfo", severity: "normal" };
    }
    case "error": {
      const error = input.model.error;
      return { text: "$(error) Clade: model error", tooltip: error ? `${error.message}\nFix: ${error.fix}\nClick to show the log.` : "Loading the model failed. Click to show the log.", command: "clade.showLog", severity: "error" };
    }
    default:
      if (!input.modelConfigured) {
        return { text: "$(hubot) Clade: no model", tooltip: "No model is configured. Click to select one.", command: "clade.selectModel", severity: "warning" };
      }
      return { text: "$(hubot) Clade", tooltip: "Clade: model configured, not loaded yet. Click to load it and show its info.", command: "clade.showModelInfo", severity: "normal" };
  }
}
