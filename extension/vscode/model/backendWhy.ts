// Rows of the Model view that need no `vscode`: the backend's reason (ModelInfo.backendReason) short
// enough for a row, the sandbox in force, and the backend the LoRA trainer would use.
import type { ModelInfo, TrainerBackendInfo } from "../../protocol/model";
import type { SandboxInfo } from "../../protocol/sandbox";

export interface Row {
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  command?: string;
}

/** The backend reason, short enough for a tree row (the tooltip and Model Info have it whole). */
export function backendWhy(info: Pick<ModelInfo, "backendReason">): string {
  const reason = info.backendReason ?? "";
  const colon = reason.indexOf(": ");
  const short = colon > 0 && colon < 40 ? reason.slice(colon + 2) : reason;
  const sentence = short.split(/(?<=\.) /)[0] ?? short;
  return sentence.length > 80 ? `${sentence.slice(0, 79)}…` : sentence;
}

/** The Model view's sandbox row: the mode in force, why in the tooltip; unconfined is a warning. */
export function sandboxRowFor(info: SandboxInfo | undefined, error: string | undefined): Row | undefined {
  if (error) return { label: "sandbox: unavailable", description: error, tooltip: error, icon: "error", command: "clade.showLog" };
  if (!info) return undefined;
  if (info.warning) return { label: `sandbox: ${info.mode} (unconfined)`, description: "agent code can read your files and use the network", tooltip: `${info.reason}\n${info.warning}`, icon: "warning" };
  return { label: `sandbox: ${info.mode}`, description: info.reason.replace(/^auto: /, ""), tooltip: info.reason, icon: "shield" };
}

/** The Model view's Training row: the backend the LoRA trainer would use (engine `system/trainer`) and why. */
export function trainerRowFor(info: TrainerBackendInfo | undefined, error: { message: string; fix?: string } | undefined): Row | undefined {
  if (error) return { label: "Training: unavailable", description: error.message, tooltip: error.fix ? `${error.message}\nFix: ${error.fix}` : error.message, icon: "error", command: "clade.showLog" };
  if (!info) return undefined;
  const layers = info.backend === "cpu" ? "" : info.gpuLayers < 0 ? " · all layers" : ` · ${info.gpuLayers} GPU layers`;
  const tooltip = `The LoRA trainer trains on ${info.backend}${layers.replace(" · ", ", ")}: ${info.reason}`;
  if (!info.built) return { label: `Training: ${info.backend} (not built)`, description: info.reason, tooltip, icon: "warning" };
  return { label: `Training: ${info.backend}${layers}`, description: info.reason, tooltip, icon: "rocket" };
}
