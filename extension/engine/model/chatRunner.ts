// Runs one chat request on one context sequence: renders the messages with the model's chat
// wrapper, applies the tool mode, samples, streams text, and accounts tokens and timings.
// "required" calls that fit the sequence take the direct path (requiredCall.ts); everything else
// goes through LlamaChat.
import type { StepBarrier } from "./stepBarrier";
import { DisposedError, LlamaChat, type ChatHistoryItem, type ChatModelFunctions, type ChatWrapper, type LLamaChatGenerateResponseOptions, type LlamaChatResponse, type LlamaContextSequence, type LlamaGrammar, type Token, type Tokenizer } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import type { ChatParams, ChatResult, StopReason, ToolCall, ToolDefinition } from "../../protocol/model";
import { generateNativeCall, type NativeCallSyntax } from "./nativeCall";
import { planHistory, renderPlanned, type ToolMode } from "./planRequest";
import { fromFunctionCalls, parseToolCallText, type ToolGrammarCache } from "./toolCalls";
import type { ToolCallTexts } from "./toolCallTexts";
import { generateRequiredCall, replyRoom } from "./requiredCall";

/** What rendering a request needs (no sequence). */
export interface ChatRenderEnv {
  chatWrapper: ChatWrapper;
  /** The wrapper has a native function-call syntax (see chatWrapperInfo). */
  functionCalling: boolean;
  grammars: ToolGrammarCache;
  /** The model's own text of earlier "required" calls, so history renders what it wrote. */
  callTexts?: ToolCallTexts;
  /** Tokenizes prompts (the model's tokenizer, or a TokenCache's in front of it). */
  tokenizer: Tokenizer;
  /** The wrapper's native call syntax with the model's thinking (nativeCallSyntax(wrapper, template)). */
  native?: NativeCallSyntax;
  /** Most tokens a thinking model thinks before a required call (default 1024). */
  thinkingBudget?: number;
}

export interface ChatRunEnv extends ChatRenderEnv {
  sequence: LlamaContextSequence;
  /** Keeps the context's tool-call generations in step so their tokens share decode batches (stepBarrier.ts). */
  barrier?: StepBarrier;
  /** Used when params.maxTokens is not set. */
  defaultMaxTokens: number;
}

export interface ChatRunOptions {
  signal?: AbortSignal;
  onText?: (chunk: string) => void;
  /** performance.now() when the request arrived (timings count from there, queueing included). */
  startedAt: number;
  /** The prompt already rendered for these params (to choose the sequence), so it is not rendered again. */
  prompt?: Token[];
}

type Plan = { mode: ToolMode; tools: readonly ToolDefinition[]; history: ChatHistoryItem[]; functions?: ChatModelFunctions; grammar?: LlamaGrammar; native?: NativeCallSyntax };

export async function runChat(env: ChatRunEnv, params: ChatParams, options: ChatRunOptions): Promise<ChatResult> {
  const plan = await planRequest(env, params);
  if (plan.mode === "required" && plan.grammar) {
    const prompt = options.prompt ?? renderTokens(env, plan);
    if (prompt) {
      checkFits(env, plan, prompt);
      const fast = plan.native ? await runNativeRequired(env, plan, params, options, prompt) : await runRequired(env, plan, params, options, prompt);
      if (fast) return fast;
    }
  }
  // The prompt is rendered and tokenized once, by LlamaChat; what was cached is read off the
  // sequence afterwards (see promptUsage).
  const startTokens = env.sequence.contextTokens;
  const outputBefore = env.sequence.tokenMeter.usedOutputTokens;
  let firstTokenAt: number | undefined;
  const markFirst = () => (firstTokenAt ??= performance.now());
  let streamed = "";
  const chat = new LlamaChat({ contextSequence: env.sequence, chatWrapper: env.chatWrapper });
  let response: LlamaChatResponse<ChatModelFunctions> | undefined;
  try {
    response = await chat.generateResponse(plan.history, {
      ...sampling(params, env.defaultMaxTokens),
      signal: options.signal,
      stopOnAbortSignal: true,
      onResponseChunk: markFirst,
      onFunctionCallParamsChunk: markFirst,
      onTextChunk: (chunk: string) => {
        streamed += chunk;
        options.onText?.(chunk);
      },
      // A native "required" plan that does not fit the sequence falls back to native function calling here.
      ...(plan.grammar && !plan.native ? { grammar: plan.grammar } : plan.functions ? { functions: plan.functions, documentFunctionParams: true } : {}),
    } as LLamaChatGenerateResponseOptions<ChatModelFunctions>);
  } catch (error) {
    if (!options.signal?.aborted) throw chatError(error);
    // Aborted before any text was generated (e.g. during prompt evaluation): an empty, aborted reply.
  } finally {
    chat.dispose({ disposeSequence: false });
  }
  const end = performance.now();
  const text = response?.response ?? streamed;
  const { toolCalls, stopReason } = outcome(plan, response, text, options.signal);
  if (plan.mode === "required" && toolCalls[0]) env.callTexts?.remember(toolCalls[0], text);
  const completionTokens = env.sequence.tokenMeter.usedOutputTokens - outputBefore;
  return {
    text,
    toolCalls,
    stopReason,
    usage: { ...promptUsage(startTokens, env.sequence.contextTokens, completionTokens), completionTokens },
    timings: { firstTokenMs: round((firstTokenAt ?? end) - options.startedAt), totalMs: round(end - options.startedAt) },
  };
}

/** What a direct "required" generation returns (requiredCall.ts, nativeCall.ts). */
interface FastGeneration {
  text: string;
  stop: "eos" | "maxTokens" | "aborted";
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

/**
 * A "required" call without LlamaChat: `generate` runs with the reply room the sequence has left
 * (undefined when the prompt needs a context shift: then LlamaChat does it), `parse` reads the call.
 */
async function runFast<R extends FastGeneration>(
  env: ChatRunEnv,
  params: ChatParams,
  options: ChatRunOptions,
  prompt: Token[],
  reserve: number,
  generate: (maxTokens: number, samplingOptions: Omit<ReturnType<typeof sampling>, "maxTokens">, onFirstToken: () => void) => Promise<R>,
  parse: (result: R) => ToolCall | undefined,
): Promise<ChatResult | undefined> {
  const { maxTokens: asked, ...samplingOptions } = sampling(params, env.defaultMaxTokens);
  const maxTokens = replyRoom(env.sequence, prompt.length, asked, reserve);
  if (maxTokens === 0) return undefined;
  let firstTokenAt: number | undefined;
  let result: R | FastGeneration;
  try {
    result = await generate(maxTokens, samplingOptions, () => (firstTokenAt ??= performance.now()));
  } catch (error) {
    if (!options.signal?.aborted) throw chatError(error);
    result = { text: "", stop: "aborted", promptTokens: prompt.length, cachedPromptTokens: 0, completionTokens: 0 };
  }
  const end = performance.now();
  if (result.text) options.onText?.(result.text);
  const call = result.stop === "aborted" ? undefined : parse(result as R);
  return {
    text: result.text,
    toolCalls: call ? [call] : [],
    stopReason: call ? "toolCall" : result.stop,
    usage: { promptTokens: result.promptTokens, cachedPromptTokens: result.cachedPromptTokens, completionTokens: result.completionTokens },
    timings: { firstTokenMs: round((firstTokenAt ?? end) - options.startedAt), totalMs: round(end - options.startedAt) },
    ...(params.returnPromptTokens ? { promptTokenIds: [...prompt] } : {}),
  };
}

/** A bare-JSON "required" call (requiredCall.ts). */
function runRequired(env: ChatRunEnv, plan: Plan, params: ChatParams, options: ChatRunOptions, prompt: Token[]): Promise<ChatResult | undefined> {
  const grammar = plan.grammar!;
  return runFast(
    env, params, options, prompt, 0,
    (maxTokens, samplingOptions, onFirstToken) => generateRequiredCall({ sequence: env.sequence, prompt, grammar, maxTokens, sampling: samplingOptions, signal: options.signal, onFirstToken, barrier: env.barrier }),
    (result) => {
      const call = parseToolCallText(result.text, plan.tools);
      if (call) env.callTexts?.remember(call, result.text);
      return call;
    },
  );
}

/** Room kept for a native call's prefix (and a thought's prefix and suffix), fed as prompt after the rendered history. */
const NATIVE_PREFIX_TOKENS = 32;

/** A "required" call in the wrapper's own syntax (nativeCall.ts); the call prefix (and a thought's prefix and suffix) are fed as prompt too. */
function runNativeRequired(env: ChatRunEnv, plan: Plan, params: ChatParams, options: ChatRunOptions, prompt: Token[]): Promise<ChatResult | undefined> {
  const grammar = plan.grammar!;
  const syntax = plan.native!;
  return runFast(
    env, params, options, prompt, NATIVE_PREFIX_TOKENS,
    (maxTokens, samplingOptions, onFirstToken) =>
      generateNativeCall({
        sequence: env.sequence, tokenizer: env.sequence.model.tokenizer, prompt, tools: plan.tools, syntax, grammar,
        maxTokens, thinkingBudget: Math.min(env.thinkingBudget ?? 1024, maxTokens), sampling: samplingOptions, signal: options.signal, onFirstToken,
        barrier: env.barrier,
      }),
    (result) => result.call,
  );
}

/**
 * A required call whose prompt leaves no room for a reply cannot be helped by LlamaChat's context
 * shift (it drops the system prompt's neighbours and then fails with "did not return a history that
 * fits"): say what does not fit, so the agent (or its author) can shorten the conversation.
 */
function checkFits(env: ChatRunEnv, plan: Plan, prompt: Token[]): void {
  if (replyRoom(env.sequence, prompt.length, 16, plan.native ? NATIVE_PREFIX_TOKENS : 0) > 0) return;
  throw new CladeError(
    "context-overflow",
    `The prompt is ${prompt.length} tokens and the context of a sequence ${env.sequence.contextSize}: no room is left for a reply.`,
    "Shorten the conversation (the agent's context budget should keep it under the context, less its reply allowance), or load the model with a larger context per sequence (clade.model.contextSize, CLI --context-per-sequence).",
    { promptTokens: prompt.length, contextSize: env.sequence.contextSize },
  );
}

/**
 * Prompt tokens of a finished generation, from the sequence's tokens before and after it: LlamaChat
 * keeps the longest common prefix of the sequence and the prompt, evaluates the rest, then feeds
 * back every generated token but the last. So the prompt is the tokens after, minus the generated
 * ones fed back, and the cached part is the prefix shared with the tokens before.
 */
export function promptUsage(before: readonly Token[], after: readonly Token[], completionTokens: number): { promptTokens: number; cachedPromptTokens: number } {
  const promptTokens = Math.max(0, after.length - Math.max(0, completionTokens - 1));
  let shared = 0;
  const limit = Math.min(before.length, promptTokens);
  while (shared < limit && before[shared] === after[shared]) shared++;
  return { promptTokens, cachedPromptTokens: shared };
}

/** The prompt as LlamaChat will render it (to pick the sequence whose cache matches it best). */
export async function renderPrompt(env: ChatRenderEnv, params: ChatParams): Promise<Token[] | undefined> {
  return renderTokens(env, await planRequest(env, params));
}

async function planRequest(env: ChatRenderEnv, params: ChatParams): Promise<Plan> {
  // One planner for inference and training (planRequest.ts): what the model sees of its past turns
  // is what it produced, and what training renders.
  const planned = planHistory(params.messages, params, { wrapper: env.chatWrapper, functionCalling: env.functionCalling }, env.callTexts ? (call) => env.callTexts?.textOf(call) : undefined);
  if (planned.mode !== "required") return planned;
  if (planned.native) {
    const native = env.native ?? planned.native;
    return { ...planned, native, grammar: await env.grammars.getNative(planned.tools, native) };
  }
  return { ...planned, grammar: await env.grammars.get(planned.tools) };
}

/** The prompt as LlamaChat will render it; undefined if rendering fails here. */
function renderTokens(env: ChatRenderEnv, plan: Plan): Token[] | undefined {
  try {
    return renderPlanned(env.chatWrapper, plan).contextText.tokenize(env.tokenizer);
  } catch {
    return undefined; // LlamaChat reports the real problem when it renders the same history
  }
}

function sampling(params: ChatParams, defaultMaxTokens: number) {
  for (const [key, value] of Object.entries({ maxTokens: params.maxTokens, temperature: params.temperature, topK: params.topK, topP: params.topP, seed: params.seed })) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new CladeError("invalid-argument", `${key} must be a non-negative number, got ${String(value)}.`, `Fix ${key} in the chat request.`);
    }
  }
  return {
    maxTokens: params.maxTokens && params.maxTokens > 0 ? params.maxTokens : defaultMaxTokens,
    temperature: params.temperature,
    topK: params.topK,
    topP: params.topP,
    seed: params.seed,
  };
}

function outcome(plan: Plan, response: LlamaChatResponse<ChatModelFunctions> | undefined, text: string, signal?: AbortSignal): { toolCalls: ToolCall[]; stopReason: StopReason } {
  if (plan.mode === "required") {
    const call = parseToolCallText(text, plan.tools);
    if (call) return { toolCalls: [call], stopReason: "toolCall" };
  }
  const toolCalls = fromFunctionCalls(response?.functionCalls);
  if (toolCalls.length > 0) return { toolCalls, stopReason: "toolCall" };
  if (signal?.aborted || !response) return { toolCalls, stopReason: "aborted" };
  switch (response.metadata.stopReason) {
    case "maxTokens":
      return { toolCalls, stopReason: "maxTokens" };
    case "abort":
      return { toolCalls, stopReason: "aborted" };
    case "customStopTrigger":
      return { toolCalls, stopReason: "stopString" };
    default:
      // eogToken, or the wrapper's end-of-turn text (stopGenerationTrigger): the model finished.
      return { toolCalls, stopReason: "eos" };
  }
}

function chatError(error: unknown): CladeError {
  if (error instanceof CladeError) return error;
  if (error instanceof DisposedError) {
    return new CladeError("model-not-loaded", "The model was unloaded while the chat request was running.", "Load a model and send the request again.", undefined, { cause: error });
  }
  return new CladeError("internal", `Generation failed: ${error instanceof Error ? error.message : String(error)}`, "See the engine log (Clade: Show Log); try again or reload the model.", undefined, { cause: error });
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
