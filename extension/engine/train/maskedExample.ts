// One training sequence from one conversation: the tokens of the text the model host renders for
// it, and a 0/1 mask that is 1 exactly on what the model generated (its replies and the token that
// ends each reply) and 0 on system, user and tool text and on the chat template's headers.
//
// Per assistant message: P = the prompt the model was given (the conversation before it) and
// N = the text that follows (the next reply's prompt, or the conversation plus one user message
// after the final reply) are rendered; chat wrappers render append-only, so N is P plus the reply,
// its end of turn and the next turn's text. A text reply (and a tool call written as JSON text) is
// exactly "the conversation ending with it" (Q) after P. A native tool call cannot be rendered on
// its own (wrappers write a pending call with an empty result), so there the reply ends where the
// first stop trigger of P's generation starts. The end of turn is the stop trigger that follows
// the reply, up to its first end-of-generation token (e.g. `<|im_end|>`). Each piece is tokenized
// on its own, as LlamaChat tokenizes a prompt and then samples the reply after it.
import { LlamaText, type ChatWrapperGeneratedContextState, type Token, type Tokenizer } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import type { ChatMessage } from "../../protocol/model";
import type { FinalConversation } from "./finalConversation";
import { renderInference, type ChatRenderer } from "./inferencePrompt";
import { llamaTextRemainder } from "./llamaTextRemainder";

export interface MaskedExample {
  tokens: Token[];
  /**
   * 1 = the model produced this token (the trainer learns to predict it), 0 = context only; a
   * recipe may weigh a reply's tokens by a number in (0, 1] instead (turnWeights).
   */
  mask: number[];
}

interface Turn {
  /** Index of the assistant message in the conversation. */
  index: number;
  prompt: ChatWrapperGeneratedContextState;
  following: LlamaText;
  /** The final reply: nothing after its end of turn is kept. */
  last: boolean;
}

/**
 * `turnWeights[k]`: the weight of the k-th assistant message's tokens (default 1 each; 0 makes a
 * reply context only). Recipes use it to train some replies and not others, or to weigh them.
 */
export function buildMaskedExample(renderer: ChatRenderer, tokenizer: Tokenizer, conversation: FinalConversation, turnWeights?: readonly number[]): MaskedExample {
  const example: MaskedExample = { tokens: [], mask: [] };
  const tokenize = (text: LlamaText) => text.tokenize(tokenizer, example.tokens.length === 0 ? undefined : "trimLeadingSpace");
  let weight = 1;
  const append = (tokens: readonly Token[], produced: number, keep = tokens.length) => {
    for (let i = 0; i < keep; i++) {
      example.tokens.push(tokens[i]);
      example.mask.push(i < produced ? weight : 0);
    }
  };
  let covered = LlamaText([]);
  for (const [k, turn] of turns(renderer, conversation).entries()) {
    weight = turnWeights?.[k] ?? 1;
    const prompt = turn.prompt.contextText;
    const triggers = turn.prompt.stopGenerationTriggers;
    append(tokenize(remainder(prompt, covered, renderer, turn.index)), 0);
    const message = conversation.messages[turn.index];
    const native = renderer.functionCalling && (message.toolCalls?.length ?? 0) > 0;
    if (!native) {
      const withReply = renderInference(renderer, conversation.messages.slice(0, turn.index + 1), conversation.request, conversation.callText).contextText;
      const reply = tokenize(remainder(withReply, prompt, renderer, turn.index));
      append(reply, reply.length);
      const after = tokenize(remainder(turn.following, withReply, renderer, turn.index));
      const end = endOfTurnLength(after, triggers, tokenizer);
      append(after, end, turn.last ? end : after.length);
    } else {
      const rest = tokenize(remainder(turn.following, prompt, renderer, turn.index));
      const end = replyEnd(rest, triggers, tokenizer);
      if (end === undefined) throw notAppendOnly(renderer, turn.index, "no stop trigger ends the tool call");
      append(rest, end, turn.last ? end : rest.length);
    }
    covered = turn.following;
  }
  return example;
}

function turns(renderer: ChatRenderer, conversation: FinalConversation): Turn[] {
  const { messages, request, endOfTurn, callText } = conversation;
  const render = (upTo: readonly ChatMessage[]) => renderInference(renderer, upTo, request, callText);
  const indexes = messages.flatMap((message, index) => (message.role === "assistant" ? [index] : []));
  const prompts = indexes.map((index) => render(messages.slice(0, index)));
  // After the final reply: what the wrapper writes when the conversation goes on (its end of turn).
  const closing = endOfTurn ? render([...messages, { role: "user", content: "." }]) : render(messages);
  return indexes.map((index, i) => ({
    index,
    prompt: prompts[i],
    following: (i + 1 < indexes.length ? prompts[i + 1] : closing).contextText,
    last: i + 1 === indexes.length,
  }));
}

function remainder(full: LlamaText, prefix: LlamaText, renderer: ChatRenderer, index: number): LlamaText {
  const rest = llamaTextRemainder(full, prefix);
  if (rest) return rest;
  throw notAppendOnly(renderer, index, "a later rendering does not start with the earlier one");
}

function notAppendOnly(renderer: ChatRenderer, index: number, detail: string): CladeError {
  return new CladeError(
    "training-failed",
    `The ${renderer.wrapper.wrapperName} chat wrapper does not render this conversation append-only at message ${index + 1} (${detail}), so the model's replies cannot be told apart from the prompt.`,
    "The run is left out of the dataset; to train on such runs use a model whose chat template renders earlier turns unchanged.",
  );
}

/** Tokens of a stop trigger as the model ends a turn with it: up to its first end-of-generation token. */
function triggerTokens(trigger: LlamaText, tokenizer: Tokenizer): Token[] {
  const tokens = trigger.tokenize(tokenizer, "trimLeadingSpace");
  const eog = tokens.findIndex((token) => tokenizer.isEogToken(token));
  return eog >= 0 ? tokens.slice(0, eog + 1) : tokens;
}

function startsWithAt(tokens: readonly Token[], at: number, part: readonly Token[]): boolean {
  return part.length > 0 && at + part.length <= tokens.length && part.every((token, i) => tokens[at + i] === token);
}

/** How many of `tokens` (what follows a reply) are the model's end of turn: the shortest stop trigger they start with; 0 if none. */
export function endOfTurnLength(tokens: readonly Token[], triggers: readonly LlamaText[], tokenizer: Tokenizer): number {
  const lengths = triggers.map((trigger) => triggerTokens(trigger, tokenizer)).filter((part) => startsWithAt(tokens, 0, part)).map((part) => part.length);
  return lengths.length > 0 ? Math.min(...lengths) : 0;
}

/** The end (exclusive) of the reply plus its end of turn in `tokens`: at the first stop trigger; undefined if none occurs. */
function replyEnd(tokens: readonly Token[], triggers: readonly LlamaText[], tokenizer: Tokenizer): number | undefined {
  const parts = triggers.map((trigger) => triggerTokens(trigger, tokenizer)).filter((part) => part.length > 0);
  for (let at = 0; at < tokens.length; at++) {
    const lengths = parts.filter((part) => startsWithAt(tokens, at, part)).map((part) => part.length);
    if (lengths.length > 0) return at + Math.min(...lengths);
  }
  return undefined;
}
