// How a chat request becomes the chat history the model's wrapper renders: ONE function for
// inference (model/chatRunner.ts) and training data (train/inferencePrompt.ts), so an adapter learns
// from exactly the text the model reads and writes.
// - "required" with a wrapper that has a native tool-call syntax (model/nativeCall.ts): the tools
//   are documented by the wrapper the family's way, calls are written and shown in that syntax;
// - "required" otherwise: bare JSON calls {"name", "arguments"}, the tools listed in the system
//   prompt (toolInstructions), earlier calls shown as the JSON the model wrote;
// - "auto": native function calling when the wrapper has it; "none": plain chat.
import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper, ChatWrapperGeneratedContextState } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import type { ChatMessage, ChatParams, ToolCall, ToolDefinition } from "../../protocol/model";
import { toChatHistory } from "./chatHistory";
import { nativeCallSyntax, type NativeCallSyntax } from "./nativeCall";
import { toChatFunctions, toolInstructions } from "./toolCalls";

export type ToolMode = "auto" | "required" | "none";

export interface RenderCaps {
  wrapper: ChatWrapper;
  /** The wrapper has a native function-call syntax (modelInfo wrapperSupportsFunctions). */
  functionCalling: boolean;
}

export interface PlannedHistory {
  mode: ToolMode;
  tools: readonly ToolDefinition[];
  history: ChatHistoryItem[];
  /** Documented in the prompt by the wrapper ("auto" with native calls, or native "required"). */
  functions?: ChatModelFunctions;
  /** Set when a "required" call is written in the wrapper's own syntax. */
  native?: NativeCallSyntax;
}

export function planHistory(messages: readonly ChatMessage[], request: Pick<ChatParams, "tools" | "toolChoice">, caps: RenderCaps, callText?: (call: ToolCall) => string | undefined): PlannedHistory {
  const tools = request.tools ?? [];
  const mode: ToolMode = request.toolChoice ?? (tools.length > 0 ? "auto" : "none");
  if (mode === "required" && tools.length === 0) {
    throw new CladeError("invalid-argument", 'toolChoice "required" needs at least one tool.', 'Pass tools, or use toolChoice "none".');
  }
  const native = mode === "required" && caps.functionCalling ? nativeCallSyntax(caps.wrapper) : undefined;
  const history = toChatHistory(messages, {
    nativeTools: caps.functionCalling && (mode !== "required" || native !== undefined),
    extraSystemText: mode === "required" && !native ? toolInstructions(tools) : undefined,
    callText: native ? undefined : callText,
  });
  const functions = tools.length > 0 && caps.functionCalling && (mode === "auto" || native) ? toChatFunctions(tools) : undefined;
  return { mode, tools, history, ...(functions ? { functions } : {}), ...(native ? { native } : {}) };
}

/** The prompt state (text, stop triggers) of a planned history, as LlamaChat and the fast paths render it. */
export function renderPlanned(wrapper: ChatWrapper, planned: Pick<PlannedHistory, "history" | "functions">): ChatWrapperGeneratedContextState {
  return wrapper.generateContextState({
    chatHistory: planned.history,
    availableFunctions: planned.functions,
    documentFunctionParams: planned.functions ? true : undefined,
  });
}
