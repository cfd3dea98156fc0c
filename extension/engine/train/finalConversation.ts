// The conversation a run's training example is made of: the message list of its last model call
// (system, task, every tool call and result the agent kept in context) plus that call's reply, and
// the text the model wrote for each of its "required" calls.
import type { ChatMessage, ChatResult, ToolCall } from "../../protocol/model";
import { ToolCallTexts } from "../model/toolCallTexts";
import { parseToolCallText } from "../model/toolCalls";
import type { RenderRequest } from "./inferencePrompt";
import type { TrajectoryRun } from "./readTrajectory";

export interface FinalConversation {
  /** Ends with the final reply (an assistant message). */
  messages: ChatMessage[];
  /** Tools and tool mode of the last call; every turn is rendered with them, as in its prompt. */
  request: RenderRequest;
  /** The final reply ended its turn (it was not cut by maxTokens or an abort), so it gets an end-of-turn token. */
  endOfTurn: boolean;
  /**
   * The text the model wrote for a "required" call written as JSON (no native syntax), by call: the
   * model host renders such a call back as that text (model/toolCallTexts.ts), not as a canonical
   * JSON of it (the grammar lets the model choose whitespace), so training renders it the same way.
   */
  callText?: (call: ToolCall) => string | undefined;
}

/** Undefined when the run made no successful model call. */
export function finalConversation(run: TrajectoryRun): FinalConversation | undefined {
  const last = run.calls.findLast((call) => call.result !== undefined);
  if (!last?.result) return undefined;
  const reply = replyMessage(last.result, last.request.toolChoice);
  const endOfTurn = last.result.stopReason !== "maxTokens" && last.result.stopReason !== "aborted";
  const texts = callTexts(run);
  return { messages: [...last.messages, reply], request: last.request, endOfTurn, callText: (call) => texts.textOf(call) };
}

/** What the model host remembers of a run's calls: the reply text of each "required" call it parsed as JSON (chatRunner.ts). */
function callTexts(run: TrajectoryRun): ToolCallTexts {
  const texts = new ToolCallTexts(Number.MAX_SAFE_INTEGER);
  for (const { request, result } of run.calls) {
    const [call] = result?.toolCalls ?? [];
    if (request.toolChoice !== "required" || !call || result?.toolCalls.length !== 1) continue;
    const written = parseToolCallText(result.text, request.tools ?? []);
    if (written && written.name === call.name && JSON.stringify(written.arguments) === JSON.stringify(call.arguments ?? {})) texts.remember(call, result.text);
  }
  return texts;
}

/**
 * A reply as the agent keeps it in its history. In "required" mode the reply text IS the call (the
 * grammar-constrained JSON), so it is kept as the call alone, as the seed agent does; the host
 * renders it back into the text the model produced.
 */
export function replyMessage(result: ChatResult, toolChoice: RenderRequest["toolChoice"]): ChatMessage {
  if (result.toolCalls.length === 0) return { role: "assistant", content: result.text };
  return { role: "assistant", content: toolChoice === "required" ? "" : result.text, toolCalls: result.toolCalls };
}
