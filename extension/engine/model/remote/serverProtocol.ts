// What Clade sends an inference server and how it reads the answer, per server kind. Pure: no I/O,
// so unit tests check each request against the server's documented format.
//
// Prompting is the same for every kind: the conversation as OpenAI chat messages, the tools
// described in the system message, and (toolChoice "required") the reply constrained to ONE JSON
// object {"name": <tool>, "arguments": {...}} by the server's own structured-output mechanism:
//   llama.cpp  POST /apply-template (the server renders the messages with the model's template), then
//              POST /completion with `json_schema` (llama-server's grammar from a JSON schema) and
//              `cache_prompt: true`; `tokens_evaluated`, `timings.cache_n` (reused from the slot),
//              `stop_type`. The raw completion, because /v1/chat/completions parses the reply with
//              the template's tool-call syntax and answers 500 when a JSON string holds its markers.
//   vllm       POST /v1/chat/completions  `response_format: {type: "json_schema", json_schema}`
//              (vLLM's structured outputs); `usage.prompt_tokens_details.cached_tokens`
//   ollama     POST /api/chat             `format: <schema>`, `options.num_ctx/num_predict/...`,
//              `stream: false`; `prompt_eval_count`, `eval_count`, `done_reason`
//   openai     POST /v1/chat/completions  `response_format` json_schema (LM Studio and others)
// Tool calls and results travel as text (the call's JSON; "Result of <tool>: ..."), not as OpenAI
// `tool_calls`, which only servers with a tool-aware chat template accept.
import type { ChatMessage, ChatParams, ChatResult, JsonSchema, StopReason, ToolCall, ToolDefinition } from "../../../protocol/model";
import type { RemoteSpec, ServerKind } from "./remoteSpec";

export interface ServerRequest {
  /** Path relative to the server's origin, e.g. "/v1/chat/completions". */
  url: string;
  body: Record<string, unknown>;
}

export interface OpenAiMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** The JSON schema of one call of one of `tools`: {"name": <const>, "arguments": <its parameters>}. */
export function toolCallSchema(tools: readonly ToolDefinition[]): JsonSchema {
  const one = (tool: ToolDefinition): JsonSchema => ({
    type: "object",
    properties: { name: { const: tool.name }, arguments: tool.parameters },
    required: ["name", "arguments"],
    additionalProperties: false,
  });
  return tools.length === 1 ? one(tools[0]!) : { oneOf: tools.map(one) };
}

/** The system message's tool section: names, descriptions and parameter schemas, and the reply format. */
export function toolsPrompt(tools: readonly ToolDefinition[], choice: ChatParams["toolChoice"]): string {
  const list = tools.map((tool) => `- ${tool.name}: ${tool.description}\n  parameters: ${JSON.stringify(tool.parameters)}`).join("\n");
  const how = choice === "required"
    ? "Reply with exactly one tool call and nothing else: a JSON object {\"name\": \"<tool>\", \"arguments\": {...}}."
    : "To call a tool, reply with only a JSON object {\"name\": \"<tool>\", \"arguments\": {...}}; otherwise reply in text.";
  return `# Tools\n\n${list}\n\n${how}`;
}

/** Clade's conversation as plain chat messages (tools in the system message, calls and results as text). */
export function toOpenAiMessages(params: Pick<ChatParams, "messages" | "tools" | "toolChoice">): OpenAiMessage[] {
  const tools = params.toolChoice === "none" ? [] : (params.tools ?? []);
  const out: OpenAiMessage[] = [];
  for (const message of params.messages) out.push(...convert(message));
  if (tools.length) {
    const section = toolsPrompt(tools, params.toolChoice);
    if (out[0]?.role === "system") out[0] = { role: "system", content: `${out[0].content}\n\n${section}` };
    else out.unshift({ role: "system", content: section });
  }
  // Consecutive messages of one role (a tool result after a user message) are joined: some chat
  // templates (Mistral's, Gemma's) refuse two user turns in a row.
  return out.reduce<OpenAiMessage[]>((joined, message) => {
    const last = joined.at(-1);
    if (last && last.role === message.role && message.role !== "system") last.content = `${last.content}\n\n${message.content}`;
    else joined.push({ ...message });
    return joined;
  }, []);
}

function convert(message: ChatMessage): OpenAiMessage[] {
  switch (message.role) {
    case "system":
      return [{ role: "system", content: message.content }];
    case "user":
      return [{ role: "user", content: message.content }];
    case "assistant": {
      const calls = (message.toolCalls ?? []).map((call) => JSON.stringify({ name: call.name, arguments: call.arguments }));
      return [{ role: "assistant", content: [message.content, ...calls].filter((part) => part.trim() !== "").join("\n") }];
    }
    case "tool":
      return [{ role: "user", content: `Result of ${message.toolCallId ? `call ${message.toolCallId}` : "the tool call"}:\n${message.content}` }];
  }
}

export interface RequestSettings {
  /** Context per request (Ollama's num_ctx; the others size their context at startup). */
  contextTokens?: number;
  /** llama.cpp: the prompt /apply-template rendered (templateRequest). */
  prompt?: string;
}

/** llama.cpp only: the request that renders the conversation with the model's own chat template. */
export function templateRequest(params: Pick<ChatParams, "messages" | "tools" | "toolChoice">): ServerRequest {
  return { url: "/apply-template", body: { messages: toOpenAiMessages(params) } };
}

export function chatRequest(kind: ServerKind, spec: RemoteSpec, params: ChatParams, settings: RequestSettings = {}): ServerRequest {
  const messages = toOpenAiMessages(params);
  const constrained = params.toolChoice === "required" && (params.tools?.length ?? 0) > 0;
  const schema = constrained ? toolCallSchema(params.tools!) : undefined;
  const base = new URL(spec.baseUrl).pathname.replace(/\/+$/, "");
  if (kind === "llama.cpp") {
    if (settings.prompt === undefined) throw new Error("llama.cpp requests need the prompt from templateRequest first");
    const body: Record<string, unknown> = {
      prompt: settings.prompt,
      n_predict: params.maxTokens ?? -1,
      // The slot keeps the conversation's KV cache; the next turn only evaluates what is new.
      cache_prompt: true,
      stream: false,
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.topK !== undefined ? { top_k: params.topK } : {}),
      ...(params.topP !== undefined ? { top_p: params.topP } : {}),
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      ...(schema ? { json_schema: schema } : {}),
    };
    return { url: "/completion", body };
  }
  if (kind === "ollama") {
    const options = Object.fromEntries(Object.entries({
      num_ctx: settings.contextTokens, num_predict: params.maxTokens, temperature: params.temperature, top_k: params.topK, top_p: params.topP, seed: params.seed,
    }).filter(([, value]) => value !== undefined));
    return { url: "/api/chat", body: { model: spec.model, messages, stream: false, ...(schema ? { format: schema } : {}), options } };
  }
  const body: Record<string, unknown> = {
    ...(spec.model ? { model: spec.model } : {}),
    messages,
    stream: false,
    ...(params.maxTokens !== undefined ? { max_tokens: params.maxTokens } : {}),
    ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params.topP !== undefined ? { top_p: params.topP } : {}),
    ...(params.seed !== undefined ? { seed: params.seed } : {}),
  };
  if (params.topK !== undefined && kind === "vllm") body.top_k = params.topK;
  if (schema) body.response_format = { type: "json_schema", json_schema: { name: "tool_call", schema, strict: true } };
  return { url: `${base}/chat/completions`, body };
}

/** The server's answer as Clade's ChatResult (less timings, which the caller measures). */
export function parseChatResponse(kind: ServerKind, json: unknown, params: ChatParams, callId: () => string): Omit<ChatResult, "timings"> {
  const response = (json ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  let text: string;
  let finish: string | undefined;
  let usage: ChatResult["usage"];
  if (kind === "llama.cpp") {
    text = String(response.content ?? "");
    finish = response.stop_type === "limit" ? "length" : "stop";
    // tokens_evaluated is the whole prompt; timings.cache_n the part reused from the slot.
    usage = { promptTokens: Number(response.tokens_evaluated ?? 0), cachedPromptTokens: Number(response.timings?.cache_n ?? 0), completionTokens: Number(response.tokens_predicted ?? 0) };
  } else if (kind === "ollama") {
    text = String(response.message?.content ?? "");
    finish = response.done_reason;
    usage = { promptTokens: Number(response.prompt_eval_count ?? 0), cachedPromptTokens: 0, completionTokens: Number(response.eval_count ?? 0) };
  } else {
    const choice = response.choices?.[0];
    text = String(choice?.message?.content ?? "");
    finish = choice?.finish_reason;
    // prompt_tokens is the whole prompt; cached_tokens (vLLM with prefix caching, LM Studio) the part reused.
    const cached = Number(response.usage?.prompt_tokens_details?.cached_tokens ?? 0);
    usage = { promptTokens: Number(response.usage?.prompt_tokens ?? 0), cachedPromptTokens: cached, completionTokens: Number(response.usage?.completion_tokens ?? 0) };
  }
  const toolCalls = params.toolChoice === "none" || !params.tools?.length ? [] : parseToolCall(text, params.tools, callId);
  const stopReason: StopReason = finish === "length" ? "maxTokens" : toolCalls.length ? "toolCall" : "eos";
  return { text: toolCalls.length ? "" : text, toolCalls, stopReason, usage };
}

/** The reply as one call of a known tool, or none (text, or JSON that is no call). */
export function parseToolCall(text: string, tools: readonly ToolDefinition[], callId: () => string): ToolCall[] {
  const trimmed = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, "");
  if (!trimmed.startsWith("{")) return [];
  try {
    const value = JSON.parse(trimmed) as { name?: unknown; arguments?: unknown };
    if (typeof value.name !== "string" || !tools.some((tool) => tool.name === value.name)) return [];
    return [{ id: callId(), name: value.name, arguments: value.arguments ?? {} }];
  } catch {
    return [];
  }
}

/** Which kind a server is, from the answers to the probes remoteModel.ts sends. */
export function detectKind(probes: { llamaProps?: unknown; ollamaVersion?: unknown; models?: unknown }): ServerKind {
  const props = probes.llamaProps as Record<string, unknown> | undefined;
  if (props && typeof props === "object" && "default_generation_settings" in props) return "llama.cpp";
  const ollama = probes.ollamaVersion as { version?: unknown } | undefined;
  if (ollama && typeof ollama.version === "string") return "ollama";
  const data = (probes.models as { data?: { owned_by?: unknown }[] } | undefined)?.data;
  if (Array.isArray(data) && data.some((model) => model?.owned_by === "vllm")) return "vllm";
  return "openai";
}
