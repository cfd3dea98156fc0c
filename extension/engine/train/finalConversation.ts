// The conversation a run's training example is made of: the message list of its last model call
// (system, task, every tool call and result the agent kept in context) plus that call's reply.
import type { ChatMessage, ChatResult } from "../../protocol/model";
import type { RenderRequest } from "./inferencePrompt";
import type { TrajectoryRun } from "./readTrajectory";

export interface FinalConversation {
  /** Ends with the final reply (an assistant message). */
  messages: ChatMessage[];
  /** Tools and tool mode of the last call; every turn is rendered with them, as in its prompt. */
  request: RenderRequest;
  /** The final reply ended its turn (it was not cut by maxTokens or an abort), so it gets an end-of-turn token. */
  endOfTurn: boolean;
}

/** Undefined when the run made no successful model call. */
export function finalConversation(run: TrajectoryRun): FinalConversation | undefined {
  const last = run.calls.findLast((call) => call.result !== undefined);
  if (!last?.result) return undefined;
  const reply = replyMessage(last.result, last.request.toolChoice);
  const endOfTurn = last.result.stopReason !== "maxTokens" && last.result.stopReason !== "aborted";
  return { messages: [...last.messages, reply], request: last.request, endOfTurn };
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
