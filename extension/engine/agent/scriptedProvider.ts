// A SCRIPTED model provider: replays a fixed list of replies (tool calls or text) in order, with
// token counts estimated from text length. For deterministic tests of the loop, the runner and the
// evolution logic — never presented as real inference.
import type { ChatParams, ChatResult, ToolCall } from "../../protocol/model";
import { CladeError } from "../../protocol/errors";
import type { LlmProvider } from "./llmProvider";

export type ScriptedReply = { toolCall: Omit<ToolCall, "id"> } | { text: string };

export class ScriptedProvider implements LlmProvider {
  private next = 0;
  readonly calls: ChatParams[] = [];

  constructor(private readonly replies: readonly ScriptedReply[], private readonly options: { repeatLast?: boolean } = {}) {}

  async chat(params: ChatParams, options: { signal?: AbortSignal } = {}): Promise<ChatResult> {
    if (options.signal?.aborted) throw new CladeError("cancelled", "The model call was cancelled.", "Nothing to fix.");
    this.calls.push(params);
    const index = this.next < this.replies.length || !this.options.repeatLast ? this.next : this.replies.length - 1;
    const reply = this.replies[index];
    if (!reply) throw new CladeError("internal", `The scripted provider ran out of replies after ${this.replies.length}.`, "Give the script more replies, or set repeatLast.");
    this.next += 1;
    const promptChars = params.messages.reduce((sum, m) => sum + m.content.length, 0);
    const toolCalls = "toolCall" in reply ? [{ id: `scripted-${this.next}`, ...reply.toolCall }] : [];
    const text = "text" in reply ? reply.text : "";
    return {
      text,
      toolCalls,
      stopReason: toolCalls.length ? "toolCall" : "eos",
      usage: { promptTokens: Math.ceil(promptChars / 4), cachedPromptTokens: 0, completionTokens: Math.ceil((text.length + JSON.stringify(toolCalls).length) / 4) },
      timings: { firstTokenMs: 0, totalMs: 0 },
    };
  }
}
