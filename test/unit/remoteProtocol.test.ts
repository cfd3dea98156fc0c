// Inference-server models: the URI, the request each server kind gets (checked against the
// servers' documented request formats), and how answers and failures are read.
import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import type { ChatParams, ToolDefinition } from "../../extension/protocol/model";
import { isContextOverflow, mapFailure } from "../../extension/engine/model/remote/remoteModel";
import { parseRemoteSpec } from "../../extension/engine/model/remote/remoteSpec";
import { chatRequest, detectKind, parseChatResponse, parseToolCall, templateRequest, toolCallSchema, toOpenAiMessages } from "../../extension/engine/model/remote/serverProtocol";

const readFile: ToolDefinition = { name: "read_file", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } };
const finish: ToolDefinition = { name: "finish", description: "Stop", parameters: { type: "object", properties: {}, required: [] } };
const params: ChatParams = {
  messages: [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content: "Fix the bug." },
    { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "read_file", arguments: { path: "a.js" } }] },
    { role: "tool", toolCallId: "c1", content: "export const a = 1;" },
  ],
  tools: [readFile, finish],
  toolChoice: "required",
  maxTokens: 512,
  temperature: 0.2,
  topK: 40,
  topP: 0.9,
  seed: 7,
};
const spec = { baseUrl: "http://127.0.0.1:8080/v1", model: "qwen2.5-coder-7b" };
let n = 0;
const ids = () => `call_${++n}`;

describe("openai: model URIs", () => {
  it("parses the base URL, the model name and an optional server kind", () => {
    expect(parseRemoteSpec("openai:http://127.0.0.1:8080/v1#qwen")).toEqual({ baseUrl: "http://127.0.0.1:8080/v1", model: "qwen" });
    expect(parseRemoteSpec("openai:http://gpu-box:11434/v1/#qwen2.5-coder:7b?server=ollama")).toEqual({ baseUrl: "http://gpu-box:11434/v1", model: "qwen2.5-coder:7b", kind: "ollama" });
    expect(parseRemoteSpec("openai:https://host/v1")).toEqual({ baseUrl: "https://host/v1", model: "" });
  });

  it("refuses what is not a server URL, an unknown kind, and credentials in the URI (with the fix)", () => {
    const error = (uri: string) => { try { parseRemoteSpec(uri); } catch (e) { return e as CladeError; } throw new Error("no error"); };
    expect(error("openai:not a url#m").message).toMatch(/is not a URL/);
    expect(error("openai:ftp://host/v1#m").message).toMatch(/must be http or https/);
    expect(error("openai:http://host/v1#m?server=tgi").fix).toMatch(/llama\.cpp, vllm, ollama, openai/);
    expect(error("openai:http://user:secret@host/v1#m").fix).toMatch(/CLADE_API_KEY/);
  });
});

describe("requests per server kind", () => {
  it("describes the tools in the system message and sends calls and results as text", () => {
    const messages = toOpenAiMessages(params);
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(messages[0]!.content).toMatch(/^You are a coding agent\.\n\n# Tools\n\n- read_file: Read a file\n {2}parameters: \{"type":"object"/);
    expect(messages[0]!.content).toMatch(/Reply with exactly one tool call and nothing else/);
    expect(JSON.parse(messages[2]!.content)).toEqual({ name: "read_file", arguments: { path: "a.js" } });
    expect(messages[3]!.content).toBe("Result of call c1:\nexport const a = 1;");
  });

  it("constrains a required call to one JSON object of one tool", () => {
    expect(toolCallSchema([readFile, finish])).toEqual({
      oneOf: [
        { type: "object", properties: { name: { const: "read_file" }, arguments: readFile.parameters }, required: ["name", "arguments"], additionalProperties: false },
        { type: "object", properties: { name: { const: "finish" }, arguments: finish.parameters }, required: ["name", "arguments"], additionalProperties: false },
      ],
    });
  });

  it("llama.cpp: /apply-template renders the messages, then /completion with llama-server's json_schema and cache_prompt", () => {
    expect(templateRequest(params)).toEqual({ url: "/apply-template", body: { messages: toOpenAiMessages(params) } });
    expect(() => chatRequest("llama.cpp", spec, params)).toThrow(/prompt from templateRequest/);
    const request = chatRequest("llama.cpp", spec, params, { prompt: "<|im_start|>system\n…" });
    expect(request.url).toBe("/completion");
    expect(request.body).toEqual({ prompt: "<|im_start|>system\n…", n_predict: 512, cache_prompt: true, stream: false, temperature: 0.2, top_k: 40, top_p: 0.9, seed: 7, json_schema: toolCallSchema(params.tools!) });
  });

  it("vLLM: the OpenAI response_format json_schema (vLLM structured outputs) and top_k", () => {
    const request = chatRequest("vllm", spec, params);
    expect(request.url).toBe("/v1/chat/completions");
    expect(request.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "tool_call", schema: toolCallSchema(params.tools!), strict: true } });
    expect(request.body).toMatchObject({ top_k: 40, max_tokens: 512 });
    expect(request.body).not.toHaveProperty("json_schema");
    expect(request.body).not.toHaveProperty("cache_prompt");
  });

  it("Ollama: the native /api/chat with format = the schema, options with num_ctx, no stream", () => {
    const request = chatRequest("ollama", { baseUrl: "http://127.0.0.1:11434/v1", model: "qwen2.5-coder:7b" }, params, { contextTokens: 16384 });
    expect(request.url).toBe("/api/chat");
    expect(request.body).toEqual({
      model: "qwen2.5-coder:7b",
      messages: toOpenAiMessages(params),
      stream: false,
      format: toolCallSchema(params.tools!),
      options: { num_ctx: 16384, num_predict: 512, temperature: 0.2, top_k: 40, top_p: 0.9, seed: 7 },
    });
  });

  it("a generic OpenAI-compatible server: response_format, no llama.cpp or vLLM extras; text replies are not constrained", () => {
    const request = chatRequest("openai", spec, params);
    expect(request.body).toHaveProperty("response_format");
    expect(request.body).not.toHaveProperty("top_k");
    const free = chatRequest("llama.cpp", spec, { ...params, toolChoice: "auto" }, { prompt: "p" });
    expect(free.body).not.toHaveProperty("json_schema");
    expect(toOpenAiMessages({ ...params, toolChoice: "none" })[0]!.content).not.toContain("# Tools");
  });
});

describe("answers", () => {
  it("reads a call, usage and cached tokens from llama-server's /completion answer", () => {
    const answer = { content: '{"name": "read_file", "arguments": {"path": "b.js"}}', stop_type: "eos", tokens_predicted: 14, tokens_evaluated: 900, tokens_cached: 914, timings: { cache_n: 850, prompt_n: 50 } };
    const result = parseChatResponse("llama.cpp", answer, params, ids);
    expect(result.toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: "read_file", arguments: { path: "b.js" } }]);
    expect(result.stopReason).toBe("toolCall");
    expect(result.usage).toEqual({ promptTokens: 900, cachedPromptTokens: 850, completionTokens: 14 });
  });

  it("reads an OpenAI-style answer with cached tokens (vLLM with prefix caching)", () => {
    const answer = { choices: [{ message: { role: "assistant", content: '{"name": "finish", "arguments": {}}' }, finish_reason: "stop" }], usage: { prompt_tokens: 900, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 640 } } };
    expect(parseChatResponse("vllm", answer, params, ids)).toMatchObject({ stopReason: "toolCall", usage: { promptTokens: 900, cachedPromptTokens: 640, completionTokens: 9 } });
    expect(parseChatResponse("llama.cpp", { content: "{", stop_type: "limit", tokens_predicted: 512 }, params, ids).stopReason).toBe("maxTokens");
  });

  it("reads Ollama's answer (message.content, prompt_eval_count, eval_count, done_reason)", () => {
    const answer = { model: "qwen2.5-coder:7b", message: { role: "assistant", content: '{"name":"finish","arguments":{}}' }, done: true, done_reason: "stop", prompt_eval_count: 700, eval_count: 9 };
    const result = parseChatResponse("ollama", answer, params, ids);
    expect(result.toolCalls[0]).toMatchObject({ name: "finish", arguments: {} });
    expect(result.usage).toEqual({ promptTokens: 700, cachedPromptTokens: 0, completionTokens: 9 });
  });

  it("a reply cut at max_tokens is maxTokens; JSON naming no known tool is text", () => {
    const cut = parseChatResponse("vllm", { choices: [{ message: { content: '{"name": "read_fi' }, finish_reason: "length" }], usage: { prompt_tokens: 10, completion_tokens: 512 } }, params, ids);
    expect(cut).toMatchObject({ stopReason: "maxTokens", toolCalls: [] });
    expect(parseToolCall('{"name": "rm_rf", "arguments": {}}', params.tools!, ids)).toEqual([]);
    expect(parseToolCall('```json\n{"name": "finish", "arguments": {}}\n```', params.tools!, ids)).toHaveLength(1);
  });

  it("detects the server kind from its probes", () => {
    expect(detectKind({ llamaProps: { default_generation_settings: { n_ctx: 4096 }, total_slots: 2 } })).toBe("llama.cpp");
    expect(detectKind({ ollamaVersion: { version: "0.12.3" } })).toBe("ollama");
    expect(detectKind({ models: { data: [{ id: "Qwen/Qwen2.5-Coder-7B-Instruct", owned_by: "vllm", max_model_len: 32768 }] } })).toBe("vllm");
    expect(detectKind({ models: { data: [{ id: "m", owned_by: "organization_owner" }] } })).toBe("openai");
  });
});

describe("failures", () => {
  const request = { url: "/v1/chat/completions", body: {} };
  class HttpLike extends Error {}
  it("maps the servers' context-overflow messages to context-overflow (the agent shortens its prompt on it)", () => {
    expect(isContextOverflow(400, "the request exceeds the available context size, try increasing it")).toBe(true);
    expect(isContextOverflow(400, "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens")).toBe(true);
    expect(isContextOverflow(400, "invalid json")).toBe(false);
    expect(isContextOverflow(500, "context size")).toBe(false);
  });

  it("maps connection failures to server-unreachable with what to start, and cancels to cancelled", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
    const error = mapFailure(refused, spec, request);
    expect(error.reason).toBe("server-unreachable");
    expect(error.message).toMatch(/http:\/\/127\.0\.0\.1:8080\/v1 cannot be reached: nothing listens there/);
    expect(error.fix).toMatch(/llama-server -m MODEL\.gguf/);
    expect(mapFailure(Object.assign(new Error("aborted"), { name: "AbortError" }), spec, request).reason).toBe("cancelled");
    expect(mapFailure(Object.assign(new Error("timeout"), { name: "TimeoutError" }), spec, request).reason).toBe("server-timeout");
    expect(mapFailure(new HttpLike("odd"), spec, request).reason).toBe("server-error");
  });
});
