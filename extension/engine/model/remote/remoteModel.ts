// A model on an inference server (llama.cpp's llama-server, vLLM, Ollama, LM Studio or any
// OpenAI-compatible API), used exactly where the in-process model is: ModelHost.chat. Connecting
// probes the server (its kind, the model, the context per request) and fails with a typed error
// that says what to fix; chat requests map the server's failures onto Clade's errors, and a server
// that restarts mid-run is waited for (restartGraceMs) and the request sent again.
import { randomUUID } from "node:crypto";
import { CladeError } from "../../../protocol/errors";
import type { ChatParams, ChatResult, ModelInfo, ModelSpec } from "../../../protocol/model";
import { chatRequest, detectKind, parseChatResponse, templateRequest, type ServerRequest } from "./serverProtocol";
import { parseRemoteSpec, type RemoteSpec, type ServerKind } from "./remoteSpec";

export interface RemoteOptions {
  /** Bearer token (VS Code: SecretStorage; CLI: CLADE_API_KEY). Never logged. */
  apiKey?: string;
  /** One request's limit (a 7B model on a CPU server writing 3,000 tokens takes minutes). */
  requestTimeoutMs?: number;
  /** How long a server that went away mid-request is waited for before the request fails. */
  restartGraceMs?: number;
  /** Probes at connect time. */
  probeTimeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_RESTART_GRACE_MS = 30_000;
/** Context per request when the server does not say (an OpenAI-compatible API without /props). */
export const DEFAULT_REMOTE_CONTEXT = 8192;

interface ServerFacts {
  kind: ServerKind;
  model: string;
  /** Tokens one request may use (prompt + reply). */
  contextPerRequest: number;
  /** Requests the server decodes at once (llama-server's slots), when it says. */
  parallel: number;
  version?: string;
  chatTemplate: string | null;
  contextReason: string;
}

export class RemoteModel {
  private constructor(
    readonly spec: RemoteSpec,
    readonly facts: ServerFacts,
    private readonly options: RemoteOptions,
    readonly info: ModelInfo,
  ) {}

  static async connect(modelSpec: ModelSpec, options: RemoteOptions = {}): Promise<RemoteModel> {
    const started = performance.now();
    const spec = parseRemoteSpec(modelSpec.model);
    const facts = await probe(spec, modelSpec, options);
    const info: ModelInfo = {
      file: modelSpec.model,
      sizeBytes: 0,
      architecture: `${facts.kind} server`,
      name: facts.model || undefined,
      parameterCount: 0,
      layers: 0,
      embeddingLength: 0,
      vocabularySize: 0,
      trainContextLength: facts.contextPerRequest,
      contextSize: facts.contextPerRequest * facts.parallel,
      sequences: facts.parallel,
      contextPerSequence: facts.contextPerRequest,
      contextReason: facts.contextReason,
      threads: 0,
      backend: "remote",
      backendReason: `served by ${facts.kind}${facts.version ? ` ${facts.version}` : ""} at ${spec.baseUrl}; tool calls constrained by its ${facts.kind === "llama.cpp" ? "json_schema grammar" : facts.kind === "ollama" ? "format (JSON schema)" : "response_format json_schema"}`,
      gpuLayers: 0,
      chatTemplate: facts.chatTemplate,
      chatWrapper: `${facts.kind} server template`,
      functionCalling: false,
      lora: [],
      loadMs: Math.round(performance.now() - started),
    };
    return new RemoteModel(spec, facts, options, info);
  }

  async chat(params: ChatParams, opts: { signal?: AbortSignal } = {}): Promise<ChatResult> {
    const startedAt = performance.now();
    if (params.lora?.length) throw new CladeError("invalid-argument", "LoRA adapters cannot be attached to a model on an inference server.", "Run adapter versions with the in-process model (a GGUF file as the model).");
    const prompt = this.facts.kind === "llama.cpp" ? String(((await this.send(templateRequest(params), opts.signal)) as { prompt?: unknown }).prompt ?? "") : undefined;
    const request = chatRequest(this.facts.kind, { ...this.spec, model: this.facts.model }, params, { contextTokens: this.facts.contextPerRequest, prompt });
    const json = await this.send(request, opts.signal);
    const result = parseChatResponse(this.facts.kind, json, params, () => `call_${randomUUID().slice(0, 8)}`);
    const totalMs = performance.now() - startedAt;
    return { ...result, timings: { firstTokenMs: totalMs, totalMs } };
  }

  /** POSTs `request`; waits out a restart (connection refused/reset) up to restartGraceMs, once. */
  private async send(request: ServerRequest, signal?: AbortSignal): Promise<unknown> {
    const grace = this.options.restartGraceMs ?? DEFAULT_RESTART_GRACE_MS;
    try {
      return await postJson(this.spec, request, this.options, signal);
    } catch (error) {
      if (!isConnectionLoss(error) || grace <= 0 || signal?.aborted) throw mapFailure(error, this.spec, request);
      if (!(await waitForServer(this.spec, this.options, grace, signal))) {
        throw new CladeError("server-unreachable", `The inference server at ${this.spec.baseUrl} went away during a request and was not back within ${Math.round(grace / 1000)} s.`, "Restart the server (or check why it stopped: its log, memory), then resume; nothing is lost, the run is re-run.", { url: this.spec.baseUrl }, { cause: error });
      }
      try {
        return await postJson(this.spec, request, this.options, signal);
      } catch (again) {
        throw mapFailure(again, this.spec, request);
      }
    }
  }
}

async function probe(spec: RemoteSpec, modelSpec: ModelSpec, options: RemoteOptions): Promise<ServerFacts> {
  const timeout = options.probeTimeoutMs ?? 10_000;
  const origin = new URL(spec.baseUrl).origin;
  const get = async (url: string) => {
    try {
      return await getJson(url, options, timeout);
    } catch (error) {
      if (isConnectionLoss(error) || (error as { name?: string }).name === "TimeoutError") throw unreachable(spec, error);
      if (CladeError.is(error, "server-error") && /\b(401|403)\b/.test(error.message)) throw error;
      return undefined;
    }
  };
  // The probes: llama-server answers /props, Ollama /api/version, every OpenAI-compatible API /models.
  const models = await get(`${spec.baseUrl}/models`);
  const [llamaProps, ollamaVersion] = await Promise.all([
    spec.kind && spec.kind !== "llama.cpp" ? undefined : get(`${origin}/props`),
    spec.kind && spec.kind !== "ollama" ? undefined : get(`${origin}/api/version`),
  ]);
  if (models === undefined && llamaProps === undefined && ollamaVersion === undefined) {
    throw new CladeError("server-error", `${spec.baseUrl} answers, but not as an OpenAI-compatible API (no ${spec.baseUrl}/models).`, "Give the API base URL, usually ending in /v1 (llama-server, vLLM, LM Studio: http://HOST:PORT/v1; Ollama: http://HOST:11434/v1).", { url: spec.baseUrl });
  }
  const kind = spec.kind ?? detectKind({ llamaProps, ollamaVersion, models });
  const listed = ((models as { data?: { id?: unknown; max_model_len?: unknown }[] } | undefined)?.data ?? []).filter((m) => typeof m?.id === "string");
  const model = spec.model || String(listed[0]?.id ?? "");
  if (spec.model && listed.length && kind !== "llama.cpp" && !listed.some((m) => m.id === spec.model)) {
    throw new CladeError("server-error", `The server at ${spec.baseUrl} has no model "${spec.model}"; it serves ${listed.map((m) => `"${String(m.id)}"`).join(", ")}.`, `Use one of those after the # (openai:${spec.baseUrl}#${String(listed[0]!.id)}).`, { url: spec.baseUrl });
  }
  const asked = modelSpec.contextPerSequence;
  if (kind === "llama.cpp") {
    const props = llamaProps as { default_generation_settings?: { n_ctx?: number }; total_slots?: number; chat_template?: string; build_info?: string };
    const slots = Math.max(1, Number(props.total_slots ?? 1));
    const perSlot = Number(props.default_generation_settings?.n_ctx ?? 0) || DEFAULT_REMOTE_CONTEXT;
    return { kind, model, contextPerRequest: perSlot, parallel: slots, version: props.build_info, chatTemplate: props.chat_template ?? null, contextReason: `${perSlot} tokens per slot × ${slots} slot(s), as llama-server was started (-c / -np)` };
  }
  if (kind === "vllm") {
    const max = Number(listed.find((m) => m.id === model)?.max_model_len ?? 0) || DEFAULT_REMOTE_CONTEXT;
    const context = asked ? Math.min(asked, max) : max;
    return { kind, model, contextPerRequest: context, parallel: 1, chatTemplate: null, contextReason: asked ? `${context} tokens per request as set (the server allows ${max})` : `${max} tokens: the server's max_model_len` };
  }
  if (kind === "ollama") {
    // Ollama sizes the context per request (num_ctx); its default (2k-4k) is too small for an agent.
    const context = asked ?? DEFAULT_REMOTE_CONTEXT;
    return { kind, model, contextPerRequest: context, parallel: 1, version: (ollamaVersion as { version?: string }).version, chatTemplate: null, contextReason: `${context} tokens per request (num_ctx)${asked ? " as set" : "; set clade.model.contextSize to change it"}` };
  }
  const context = asked ?? DEFAULT_REMOTE_CONTEXT;
  return { kind, model, contextPerRequest: context, parallel: 1, chatTemplate: null, contextReason: `${context} tokens per request ${asked ? "as set" : "(the server does not say; set clade.model.contextSize to its real size)"}` };
}

function headers(options: RemoteOptions): Record<string, string> {
  return { "Content-Type": "application/json", ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}) };
}

async function getJson(url: string, options: RemoteOptions, timeoutMs: number): Promise<unknown> {
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  const response = await (options.fetch ?? fetch)(url, { headers: headers(options), signal });
  if (response.status === 401 || response.status === 403) {
    throw new CladeError("server-error", `The server refused the API key (${response.status}) at ${url}.`, options.apiKey ? "Set the right key (VS Code: \"Clade: Set Inference Server API Key\"; CLI: CLADE_API_KEY)." : "The server needs an API key: set it (VS Code: \"Clade: Set Inference Server API Key\"; CLI: CLADE_API_KEY).", { status: response.status });
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

async function postJson(spec: RemoteSpec, request: ServerRequest, options: RemoteOptions, signal?: AbortSignal): Promise<unknown> {
  const url = `${new URL(spec.baseUrl).origin}${request.url}`;
  const limit = AbortSignal.timeout(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const response = await (options.fetch ?? fetch)(url, { method: "POST", headers: headers(options), body: JSON.stringify(request.body), signal: signal ? AbortSignal.any([signal, limit]) : limit });
  const text = await response.text();
  if (!response.ok) throw new HttpError(response.status, text);
  try {
    return JSON.parse(text);
  } catch {
    throw new CladeError("server-error", `${url} answered ${response.status} with something that is not JSON: ${text.slice(0, 200)}`, "Check that the URL is the server's OpenAI-compatible API base (…/v1).", { url });
  }
}

class HttpError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function isConnectionLoss(error: unknown): boolean {
  const code = errorCode(error);
  return (code !== undefined && CONNECTION_CODES.has(code)) || (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(error.message));
}

function unreachable(spec: RemoteSpec, cause: unknown): CladeError {
  const code = errorCode(cause);
  const why = code === "ENOTFOUND" || code === "EAI_AGAIN" ? "its host name does not resolve" : code === "ECONNREFUSED" ? "nothing listens there" : (cause as { name?: string }).name === "TimeoutError" ? "it did not answer in time" : `the connection failed (${code ?? (cause instanceof Error ? cause.message : String(cause))})`;
  return new CladeError("server-unreachable", `The inference server at ${spec.baseUrl} cannot be reached: ${why}.`, "Start the server (e.g. `llama-server -m MODEL.gguf --port 8080`, `vllm serve MODEL`, `ollama serve`) or fix the host and port in the model URI.", { url: spec.baseUrl, code }, { cause });
}

/** A failed request as Clade's error: unreachable, timed out, context overflow, or the server's own message. */
export function mapFailure(error: unknown, spec: RemoteSpec, request: ServerRequest): CladeError {
  if (CladeError.is(error)) return error;
  if ((error as { name?: string }).name === "AbortError") return new CladeError("cancelled", "The request to the inference server was cancelled.", "Nothing to fix.");
  if ((error as { name?: string }).name === "TimeoutError") return new CladeError("server-timeout", `The inference server at ${spec.baseUrl} did not answer within the request timeout.`, "Give it fewer parallel requests or a smaller reply budget, or a faster model; the run can be retried.", { url: spec.baseUrl });
  if (error instanceof HttpError) {
    const message = serverMessage(error.body);
    if (isContextOverflow(error.status, message)) {
      return new CladeError("context-overflow", `The prompt does not fit the server's context: ${message}`, "Give the server a larger context (llama-server -c / fewer slots -np; vLLM --max-model-len), or set clade.model.contextSize to what it has so the agent shortens its prompt.", { url: spec.baseUrl, status: error.status });
    }
    if (error.status === 401 || error.status === 403) return new CladeError("server-error", `The server refused the API key (${error.status}).`, "Set the right key (VS Code: \"Clade: Set Inference Server API Key\"; CLI: CLADE_API_KEY).", { status: error.status });
    if (error.status === 404) return new CladeError("server-error", `${spec.baseUrl} has no ${request.url} (404): ${message}`, "Check the model name after # and that the URL is the OpenAI-compatible API base (…/v1).", { status: 404 });
    const fix = error.status >= 500 ? "See the server's log; a 503 usually means it is still loading the model (retry in a moment)." : "This is a request the server does not accept; see its message, and report it if it is Clade's.";
    return new CladeError("server-error", `The inference server answered ${error.status}: ${message}`, fix, { status: error.status, url: spec.baseUrl });
  }
  if (isConnectionLoss(error)) return unreachable(spec, error);
  return new CladeError("server-error", `The request to ${spec.baseUrl} failed: ${error instanceof Error ? error.message : String(error)}`, "See the server's log.", { url: spec.baseUrl }, { cause: error });
}

function serverMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    const message = typeof json.error === "string" ? json.error : (json.error?.message ?? json.message);
    if (message) return message.slice(0, 500);
  } catch {
    // not JSON
  }
  return body.slice(0, 500) || "(no message)";
}

/** llama-server: exceed_context_size_error; vLLM: "maximum context length"; OpenAI: context_length_exceeded. */
export function isContextOverflow(status: number, message: string): boolean {
  return status === 400 && /exceeds? the available context size|maximum context length|context_length_exceeded|context size|too many tokens/i.test(message);
}

async function waitForServer(spec: RemoteSpec, options: RemoteOptions, graceMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      await getJson(`${spec.baseUrl}/models`, options, 2000);
      return true;
    } catch (error) {
      if (CladeError.is(error, "server-error")) return true; // it answers (even if it refuses the probe)
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return false;
}
