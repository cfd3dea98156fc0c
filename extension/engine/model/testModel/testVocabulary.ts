// The test model's vocabulary: 256 byte tokens, BPE tokens learned from the built-in corpus,
// special tokens (by default ChatML + Qwen's tool-call tokens; a model family's own, see
// testModelFamilies.ts), then unused padding up to the requested size.

import { CladeError } from "../../../protocol/errors";
import { BYTE_ORDER, BYTE_TEXT, learnMerges } from "./byteLevelBpe";
import { TOKENIZER_CORPUS } from "./corpus";

/** llama.cpp token types (enum llama_token_type). */
export const TokenType = { normal: 1, control: 3, userDefined: 4, unused: 5 } as const;

export interface VocabularySpecialToken {
  text: string;
  type: number;
}

/** Default special tokens in vocabulary order, right after the learned tokens. */
export const SPECIAL_TOKENS: readonly VocabularySpecialToken[] = [
  { text: "<|endoftext|>", type: TokenType.control },
  { text: "<|im_start|>", type: TokenType.control },
  { text: "<|im_end|>", type: TokenType.control },
  { text: "<tool_call>", type: TokenType.userDefined },
  { text: "</tool_call>", type: TokenType.userDefined },
];

export const MIN_VOCAB = 256 + SPECIAL_TOKENS.length;

export interface TestVocabulary {
  tokens: string[];
  types: number[];
  merges: string[];
  /** Number of real (byte + learned) tokens; ids from here on are special, then unused. */
  learned: number;
  /** Ids of the special tokens by text. */
  special: ReadonlyMap<string, number>;
  /** Ids of the default (ChatML) special tokens; -1 in a vocabulary without them. */
  endOfText: number;
  imStart: number;
  imEnd: number;
}

// Learning merges is the slow part of building a vocabulary; the merge sequence is greedy and
// deterministic, so one learned list serves every vocabulary size (as a prefix).
let mergeCache: { requested: number; merges: Array<[string, string]> } | null = null;

function mergesFor(count: number): Array<[string, string]> {
  if (!mergeCache || (mergeCache.requested < count && mergeCache.merges.length === mergeCache.requested)) {
    mergeCache = { requested: count, merges: learnMerges(TOKENIZER_CORPUS, count) };
  }
  return mergeCache.merges.slice(0, count);
}

/**
 * `corpus`: the text whose frequent pieces become tokens (default: a mix of prose, code, JSON tool
 * calls and shell, TOKENIZER_CORPUS). A model trained on a known text tokenizes it compactly with
 * a vocabulary learned from that text.
 */
export function buildTestVocabulary(vocabSize: number, specialTokens: readonly VocabularySpecialToken[] = SPECIAL_TOKENS, corpus?: string): TestVocabulary {
  const minimum = 256 + specialTokens.length;
  if (!Number.isInteger(vocabSize) || vocabSize < minimum) {
    throw new CladeError("invalid-argument", `A test model's vocabulary needs at least ${minimum} tokens (256 bytes + ${specialTokens.length} special), got ${vocabSize}.`, `Pass a vocabulary size of ${minimum} or more.`);
  }
  const tokens = BYTE_ORDER.map((b) => BYTE_TEXT[b]);
  const known = new Set(tokens);
  const merges: string[] = [];
  const budget = vocabSize - minimum;
  // A few merges reach a text that is already a token, so ask for some more merges than tokens.
  const wanted = Math.ceil(budget * 1.25) + 16;
  for (const [left, right] of corpus === undefined ? mergesFor(wanted) : learnMerges(corpus, wanted)) {
    const text = left + right;
    // Two merge paths can reach the same text ("ab"+"c", "a"+"bc"): one token, both merges.
    if (!known.has(text)) {
      if (tokens.length - 256 >= budget) break;
      known.add(text);
      tokens.push(text);
    }
    merges.push(`${left} ${right}`);
  }
  const learned = tokens.length;
  const types: number[] = new Array(learned).fill(TokenType.normal);
  const special = new Map<string, number>();
  for (const token of specialTokens) {
    if (known.has(token.text) || special.has(token.text)) {
      throw new CladeError("invalid-argument", `The special token "${token.text}" is in the vocabulary twice.`, "List each special token once.");
    }
    special.set(token.text, tokens.length);
    tokens.push(token.text);
    types.push(token.type);
  }
  for (let id = tokens.length; id < vocabSize; id++) {
    tokens.push(`<|clade_unused_${id}|>`);
    types.push(TokenType.unused);
  }
  const id = (text: string): number => special.get(text) ?? -1;
  return { tokens, types, merges, learned, special, endOfText: id("<|endoftext|>"), imStart: id("<|im_start|>"), imEnd: id("<|im_end|>") };
}
