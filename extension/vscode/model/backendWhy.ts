// The backend reason (ModelInfo.backendReason), short enough for a row of the Model view.
import type { ModelInfo } from "../../protocol/model";

/** The backend reason, short enough for a tree row (the tooltip and Model Info have it whole). */
export function backendWhy(info: Pick<ModelInfo, "backendReason">): string {
  const reason = info.backendReason ?? "";
  const colon = reason.indexOf(": ");
  const short = colon > 0 && colon < 40 ? reason.slice(colon + 2) : reason;
  const sentence = short.split(/(?<=\.) /)[0] ?? short;
  return sentence.length > 80 ? `${sentence.slice(0, 79)}…` : sentence;
}
