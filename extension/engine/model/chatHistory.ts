// ChatMessages (the protocol's OpenAI-like form) -> node-llama-cpp chat history, which the model's
// chat wrapper renders with the model's own template.
//
// node-llama-cpp keeps a tool call and its result inside the model's response item
// ({type: "functionCall", params, result}), and a model turn continues after the results. So an
// assistant message with tool calls, its tool results, and the assistant text that follows form one
// model item. Without native function calling (wrappers with no tool syntax), calls are written as
// the JSON the model produced and results come back as user messages.
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import type { ChatMessage, ToolCall } from "../../protocol/model";

export interface HistoryOptions {
  /** The chat wrapper has a native function-call syntax. */
  nativeTools: boolean;
  /** Extra system text (tool instructions), added to the first system message or as a new one. */
  extraSystemText?: string;
  /** Without native tools: the text the model wrote for a call, if known (see ToolCallTexts). */
  callText?: (call: ToolCall) => string | undefined;
}

export function toChatHistory(messages: readonly ChatMessage[], options: HistoryOptions): ChatHistoryItem[] {
  if (messages.length === 0) throw new CladeError("invalid-argument", "A chat request needs at least one message.", "Send a user message.");
  const history: ChatHistoryItem[] = [];
  const pendingCalls = new Map<string, ChatModelFunctionCall>();
  const callNames = new Map<string, string>();
  for (const message of messages) {
    const last = history.at(-1);
    switch (message.role) {
      case "system":
        history.push({ type: "system", text: message.content });
        break;
      case "user":
        history.push({ type: "user", text: message.content });
        break;
      case "assistant": {
        // Continue the model turn that is waiting on tool results, else start a new one.
        const item = last?.type === "model" && endsWithCall(last) ? last : pushModel(history);
        // A new assistant message's calls are a new chunk, not parallel calls of the previous one:
        // otherwise node-llama-cpp renders all calls first and all results after them.
        const newChunk = endsWithCall(item);
        if (message.content) item.response.push(message.content);
        (message.toolCalls ?? []).forEach((call, i) => addCall(item, call, options, pendingCalls, callNames, newChunk && i === 0));
        break;
      }
      case "tool":
        addToolResult(history, message, options.nativeTools, pendingCalls, callNames);
        break;
      default:
        throw new CladeError("invalid-argument", `Unknown message role "${String((message as ChatMessage).role)}".`, "Use system, user, assistant or tool.");
    }
  }
  if (options.extraSystemText) addSystemText(history, options.extraSystemText);
  // Generation fills the last model item: a new turn, or the continuation of a prefilled/tool-calling one.
  if (history.at(-1)?.type !== "model") pushModel(history);
  return history;
}

function pushModel(history: ChatHistoryItem[]): ChatModelResponse {
  const item: ChatModelResponse = { type: "model", response: [] };
  history.push(item);
  return item;
}

function endsWithCall(item: ChatModelResponse): boolean {
  const last = item.response.at(-1);
  return typeof last === "object" && last.type === "functionCall";
}

function addCall(item: ChatModelResponse, call: ToolCall, options: HistoryOptions, pending: Map<string, ChatModelFunctionCall>, names: Map<string, string>, startsNewChunk: boolean): void {
  names.set(call.id, call.name);
  if (!options.nativeTools) {
    item.response.push(options.callText?.(call) ?? JSON.stringify({ name: call.name, arguments: call.arguments }));
    return;
  }
  const functionCall: ChatModelFunctionCall = { type: "functionCall", name: call.name, params: call.arguments, result: undefined, ...(startsNewChunk ? { startsNewChunk: true } : {}) };
  item.response.push(functionCall);
  pending.set(call.id, functionCall);
}

function addToolResult(history: ChatHistoryItem[], message: ChatMessage, native: boolean, pending: Map<string, ChatModelFunctionCall>, names: Map<string, string>): void {
  const call = message.toolCallId !== undefined ? pending.get(message.toolCallId) : undefined;
  if (native && call) {
    call.result = parseResult(message.content);
    pending.delete(message.toolCallId as string);
    return;
  }
  const name = message.toolCallId !== undefined ? names.get(message.toolCallId) : undefined;
  history.push({ type: "user", text: `Result of tool ${name ?? "call"}${message.toolCallId ? ` (${message.toolCallId})` : ""}:\n${message.content}` });
}

/** Results that are JSON are passed as values (the wrapper serializes them), others as text. */
function parseResult(content: string): unknown {
  const trimmed = content.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return content;
    }
  }
  return content;
}

function addSystemText(history: ChatHistoryItem[], text: string): void {
  const first = history.find((item) => item.type === "system");
  if (first && typeof first.text === "string") first.text = `${first.text}\n\n${text}`;
  else history.unshift({ type: "system", text });
}
