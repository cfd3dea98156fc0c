// The text a chat request is rendered to at inference, built with the model host's own functions
// (toChatHistory, toolInstructions, toChatFunctions) and the model's chat wrapper, the way
// model/chatRunner.ts plans and renders a request. Training data is rendered with this, so the
// adapter learns from exactly the text the agent's model reads and writes.
import { isChatModelResponseFunctionCall, type ChatHistoryItem, type ChatModelFunctions, type ChatModelResponse, type ChatWrapper, type ChatWrapperGeneratedContextState } from "node-llama-cpp";
import type { ChatMessage, ChatParams, ToolCall } from "../../protocol/model";
import { planHistory, renderPlanned } from "../model/planRequest";

/** The model's chat wrapper and whether it has a native function-call syntax (model/modelInfo wrapperSupportsFunctions). */
export interface ChatRenderer {
  wrapper: ChatWrapper;
  functionCalling: boolean;
}

/** The parts of a chat request that change how it renders. */
export type RenderRequest = Pick<ChatParams, "tools" | "toolChoice">;

export interface InferenceHistory {
  history: ChatHistoryItem[];
  /** Set in "auto" mode with native function calling: documented in the prompt by the wrapper. */
  functions?: ChatModelFunctions;
}

/** The text the model wrote for an earlier call, if known (the model host's ToolCallTexts; FinalConversation.callText). */
export type CallText = (call: ToolCall) => string | undefined;

/** chatRunner's planRequest without the grammar: the history and functions LlamaChat is given (model/planRequest.ts). */
export function inferenceHistory(messages: readonly ChatMessage[], request: RenderRequest, renderer: ChatRenderer, callText?: CallText): InferenceHistory {
  const planned = planHistory(messages, request, { wrapper: renderer.wrapper, functionCalling: renderer.functionCalling }, callText);
  if (planned.functions || (renderer.functionCalling && planned.mode !== "required")) markCallChunks(planned.history, messages);
  return { history: planned.history, functions: planned.functions };
}

/** The prompt text (and stop triggers) of a request whose history is `messages`, as chatRunner renders it. */
export function renderInference(renderer: ChatRenderer, messages: readonly ChatMessage[], request: RenderRequest, callText?: CallText): ChatWrapperGeneratedContextState {
  return renderPlanned(renderer.wrapper, inferenceHistory(messages, request, renderer, callText));
}

/**
 * toChatHistory puts the calls of consecutive assistant messages (with their results in between)
 * into one model item; without `startsNewChunk` node-llama-cpp takes them for one batch of parallel
 * calls and renders all calls first and all results after them, out of order, so a later prompt is
 * no longer the earlier prompt plus the new turn. The first call of each assistant message that
 * follows another call starts a new chunk. Idempotent, so harmless once the host sets it itself.
 */
function markCallChunks(history: ChatHistoryItem[], messages: readonly ChatMessage[]): void {
  const calls: { response: ChatModelResponse["response"]; index: number }[] = [];
  for (const item of history) {
    if (item.type !== "model") continue;
    item.response.forEach((part, index) => {
      if (isChatModelResponseFunctionCall(part)) calls.push({ response: item.response, index });
    });
  }
  let next = 0;
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    for (let k = 0; k < (message.toolCalls?.length ?? 0); k++) {
      const at = calls[next++];
      if (!at || k > 0 || at.index === 0) continue;
      const call = at.response[at.index];
      if (isChatModelResponseFunctionCall(at.response[at.index - 1]) && isChatModelResponseFunctionCall(call)) call.startsNewChunk = true;
    }
  }
}
