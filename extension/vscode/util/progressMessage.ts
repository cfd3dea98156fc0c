// The text of a progress notification's message (pure: no `vscode` import): the engine's phase
// title and message, without repeating the notification's own title ("Clade: self-improvement
// session" does not need "Self-improvement session: " again).
import type { ProgressValue } from "../../protocol/engine";

export function progressMessage(notificationTitle: string, value: ProgressValue): string {
  const title = value.title.trim();
  const repeats = title !== "" && notificationTitle.toLowerCase().replace(/^clade:\s*/, "").startsWith(title.toLowerCase());
  return [repeats ? "" : title, value.message].filter(Boolean).join(": ");
}
