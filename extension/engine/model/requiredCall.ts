// The fast path for "required" tool calls (what agents do every turn): the prompt, rendered once
// with the model's chat wrapper, goes straight to the sequence with the tool-call grammar. No
// LlamaChat: its per-token work (detokenizing, stop-trigger and function-syntax detection) showed
// as ~15-30 % of a small model's decode time with several sequences (PERFORMANCE.md). The grammar
// (node-llama-cpp's JSON-schema grammar) allows one JSON value, then requires "\n\n\n\n" before an
// end-of-generation token; like LlamaChat (which stops on that trigger) we stop earlier, at the first
// newline after which the text is a complete JSON value, and trim the trailing whitespace.
// Prompts that would not fit the sequence (context shift needed) go to LlamaChat.
import { BarrierStep, type StepBarrier } from "./stepBarrier";
import { LlamaGrammarEvaluationState, type LlamaContextSequence, type LlamaGrammar, type Token } from "node-llama-cpp";

export interface RequiredCallRequest {
  sequence: LlamaContextSequence;
  prompt: Token[];
  grammar: LlamaGrammar;
  maxTokens: number;
  sampling: { temperature?: number; topK?: number; topP?: number; seed?: number };
  signal?: AbortSignal;
  onFirstToken: () => void;
  /** Keeps this context's generations in step (shared decode batches); none: no waiting. */
  barrier?: StepBarrier;
}

export interface RequiredCallResult {
  text: string;
  /** "eos": the grammar completed; "maxTokens"; "aborted". */
  stop: "eos" | "maxTokens" | "aborted";
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

/**
 * The reply tokens a "required" call may use in this sequence: maxTokens, or less when the prompt
 * leaves less room (a tool call rarely needs its whole allowance, and the alternative — LlamaChat
 * with a context shift — would drop the start of the conversation). 0: the prompt itself does not
 * fit (with `reserve` tokens the caller adds, e.g. a call prefix, and a minimum reply).
 */
export function replyRoom(sequence: LlamaContextSequence, promptTokens: number, maxTokens: number, reserve = 0): number {
  const room = sequence.contextSize - promptTokens - reserve;
  return room >= Math.min(maxTokens, 16) ? Math.min(maxTokens, room) : 0;
}

/** Keeps the longest cached prefix of `prompt` in the sequence (at least one token is left to evaluate, for fresh logits); returns its length. */
export async function reuseCachedPrefix(sequence: LlamaContextSequence, prompt: readonly Token[]): Promise<number> {
  const cached = Math.min(sequence.compareContextTokens(prompt as Token[]).firstDifferentIndex, prompt.length - 1);
  if (cached < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: cached, end: sequence.nextTokenIndex }]);
  return cached;
}

export async function generateRequiredCall(request: RequiredCallRequest): Promise<RequiredCallResult> {
  const { sequence, prompt } = request;
  const cached = await reuseCachedPrefix(sequence, prompt);
  const grammarEvaluationState = new LlamaGrammarEvaluationState({ model: sequence.model, grammar: request.grammar });
  const tokens: Token[] = [];
  let stop: RequiredCallResult["stop"] = "eos";
  if (request.signal?.aborted) stop = "aborted";
  else {
    const step = new BarrierStep(request.barrier);
    try {
      for await (const token of sequence.evaluate(prompt.slice(cached), { ...request.sampling, grammarEvaluationState })) {
        request.onFirstToken();
        tokens.push(token);
        if (request.signal?.aborted) {
          stop = "aborted";
          break;
        }
        if (completesJson(sequence, tokens, token)) break;
        if (tokens.length >= request.maxTokens) {
          stop = "maxTokens";
          break;
        }
        await step.next();
      }
    } finally {
      step.done();
    }
  }
  return { text: sequence.model.detokenize(tokens).trimEnd(), stop, promptTokens: prompt.length, cachedPromptTokens: cached, completionTokens: tokens.length };
}

/** A newline token after which the text parses: the JSON value is complete (strings hold no raw newlines). */
function completesJson(sequence: LlamaContextSequence, tokens: readonly Token[], last: Token): boolean {
  if (!sequence.model.detokenize([last]).includes("\n")) return false;
  try {
    JSON.parse(sequence.model.detokenize(tokens));
    return true;
  } catch {
    return false;
  }
}
