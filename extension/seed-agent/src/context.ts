// Keeps the conversation inside the context budget. Old tool results are replaced by a one-line
// stub first (the model can read a file again); if that is not enough, the middle of the history
// is dropped, always keeping the system prompt, the task and the latest turns.
//
// Sizes are counted in the model's real tokens as far as the agent can know them: the host
// reports how many tokens each prompt had, and TokenMeter turns that into a characters-per-token
// ratio for this model and this conversation (the tool list the host adds to the prompt included).
import type { ChatMessage, ToolDefinition } from "./host";
import { settings } from "./settings";

function messageChars(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + m.content.length + JSON.stringify(m.toolCalls ?? []).length + 16, 0);
}

export function estimateTokens(messages: ChatMessage[], charsPerToken = settings.charsPerToken, extraChars = 0): number {
  return Math.ceil((messageChars(messages) + extraChars) / charsPerToken);
}

/** Estimates prompt tokens, calibrated by the real counts the host returns with every reply. */
export class TokenMeter {
  charsPerToken = settings.charsPerToken;
  private readonly toolChars: number;

  constructor(tools: readonly ToolDefinition[] = []) {
    // The host writes the tool list (names, descriptions, schemas) into the prompt as well.
    this.toolChars = JSON.stringify(tools).length;
  }

  estimate(messages: ChatMessage[]): number {
    return estimateTokens(messages, this.charsPerToken, this.toolChars);
  }

  /** `promptTokens`: the host's count for the prompt these messages were rendered to. */
  calibrate(messages: ChatMessage[], promptTokens: number): void {
    if (!(promptTokens > 0)) return;
    const measured = (messageChars(messages) + this.toolChars) / promptTokens;
    if (Number.isFinite(measured) && measured > 0.5) this.charsPerToken = measured;
  }
}

/** Tokens one reply may use: settings.maxReplyTokens, at most maxReplyShare of the context. */
export function replyTokens(contextTokens: number): number {
  return Math.max(64, Math.min(settings.maxReplyTokens, Math.floor(contextTokens * settings.maxReplyShare)));
}

/** Cuts a long tool output in the middle so both its start and its end stay visible. */
export function clip(text: string, max = settings.maxToolOutputChars): { text: string; from?: number } {
  if (text.length <= max) return { text };
  const half = Math.floor(max / 2);
  return { text: `${text.slice(0, half)}\n… [${text.length - max} characters cut] …\n${text.slice(-half)}`, from: text.length };
}

export function fitToBudget(messages: ChatMessage[], budgetTokens: number, estimate: (messages: ChatMessage[]) => number = (m) => estimateTokens(m)): ChatMessage[] {
  const toolIndexes = messages.flatMap((m, i) => (m.role === "tool" ? [i] : []));
  const stale = new Set(toolIndexes.slice(0, Math.max(0, toolIndexes.length - settings.keepFullToolResults)));
  let fitted = messages.map((m, i) => (stale.has(i) && m.content.length > 200 ? { ...m, content: `[old output of ${m.content.length} characters removed to save context]` } : m));
  // Drop whole assistant+tool pairs after the first two messages until it fits.
  while (estimate(fitted) > budgetTokens && fitted.length > 4) {
    fitted = [...fitted.slice(0, 2), ...fitted.slice(4)];
  }
  // Still too long (one huge call or result): shorten what is left after the task, oldest first.
  for (let i = 2; i < fitted.length && estimate(fitted) > budgetTokens; i++) fitted[i] = shortened(fitted[i]);
  return fitted;
}

/** A message with long tool output and long string arguments of its calls replaced by stubs. */
function shortened(message: ChatMessage): ChatMessage {
  const stub = (text: string) => `[${text.length} characters removed to save context]`;
  const content = message.role === "tool" && message.content.length > 200 ? stub(message.content) : message.content;
  const toolCalls = message.toolCalls?.map((call) => {
    if (typeof call.arguments !== "object" || call.arguments === null) return call;
    const args = Object.fromEntries(Object.entries(call.arguments as Record<string, unknown>).map(([key, value]) => [key, typeof value === "string" && value.length > 200 ? stub(value) : value]));
    return { ...call, arguments: args };
  });
  return { ...message, content, ...(toolCalls ? { toolCalls } : {}) };
}
