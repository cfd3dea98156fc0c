// Keeps the conversation inside the context budget. Old tool results are replaced by a one-line
// stub first (the model can read a file again); if that is not enough, the middle of the history
// is dropped, always keeping the system prompt, the task and the latest turns.
import type { ChatMessage } from "./host";
import { settings } from "./settings";

export function estimateTokens(messages: ChatMessage[]): number {
  const chars = messages.reduce((sum, m) => sum + m.content.length + JSON.stringify(m.toolCalls ?? []).length + 16, 0);
  return Math.ceil(chars / settings.charsPerToken);
}

/** Cuts a long tool output in the middle so both its start and its end stay visible. */
export function clip(text: string, max = settings.maxToolOutputChars): { text: string; from?: number } {
  if (text.length <= max) return { text };
  const half = Math.floor(max / 2);
  return { text: `${text.slice(0, half)}\n… [${text.length - max} characters cut] …\n${text.slice(-half)}`, from: text.length };
}

export function fitToBudget(messages: ChatMessage[], budgetTokens: number): ChatMessage[] {
  const toolIndexes = messages.flatMap((m, i) => (m.role === "tool" ? [i] : []));
  const stale = new Set(toolIndexes.slice(0, Math.max(0, toolIndexes.length - settings.keepFullToolResults)));
  let fitted = messages.map((m, i) => (stale.has(i) && m.content.length > 200 ? { ...m, content: `[old output of ${m.content.length} characters removed to save context]` } : m));
  // Drop whole assistant+tool pairs after the first two messages until it fits.
  while (estimateTokens(fitted) > budgetTokens && fitted.length > 4) {
    fitted = [...fitted.slice(0, 2), ...fitted.slice(4)];
  }
  return fitted;
}
