// The test model's vocabulary: 256 byte tokens, BPE tokens learned from the built-in corpus,
// ChatML + Qwen tool-call special tokens, then unused padding up to the requested size.

import { CladeError } from "../../../protocol/errors";
import { BYTE_ORDER, BYTE_TEXT, learnMerges } from "./byteLevelBpe";
import { TOKENIZER_CORPUS } from "./corpus";

/** llama.cpp token types (enum llama_token_type). */
export const TokenType = { normal: 1, control: 3, userDefined: 4, unused: 5 } as const;

/** Special tokens in vocabulary order, right after the learned tokens. */
export const SPECIAL_TOKENS = [
  { text: "<|endoftext|>", type: TokenType.control },
  { text: "<|im_start|>", type: TokenType.control },
  { text: "<|im_end|>", type: TokenType.control },
  { text: "<tool_call>", type: TokenType.userDefined },
  { text: "</tool_call>", type: TokenType.userDefined },
] as const;

export const MIN_VOCAB = 256 + SPECIAL_TOKENS.length;

export interface TestVocabulary {
  tokens: string[];
  types: number[];
  merges: string[];
  /** Number of real (byte + learned) tokens; ids from here on are special, then unused. */
  learned: number;
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

export function buildTestVocabulary(vocabSize: number): TestVocabulary {
  if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB) {
    throw new CladeError("invalid-argument", `A test model's vocabulary needs at least ${MIN_VOCAB} tokens (256 bytes + ${SPECIAL_TOKENS.length} special), got ${vocabSize}.`, `Pass a vocabulary size of ${MIN_VOCAB} or more.`);
  }
  const tokens = BYTE_ORDER.map((b) => BYTE_TEXT[b]);
  const known = new Set(tokens);
  const merges: string[] = [];
  const budget = vocabSize - MIN_VOCAB;
  // A few merges reach a text that is already a token, so ask for some more merges than tokens.
  for (const [left, right] of mergesFor(Math.ceil(budget * 1.25) + 16)) {
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
  for (const special of SPECIAL_TOKENS) {
    tokens.push(special.text);
    types.push(special.type);
  }
  for (let id = tokens.length; id < vocabSize; id++) {
    tokens.push(`<|clade_unused_${id}|>`);
    types.push(TokenType.unused);
  }
  return { tokens, types, merges, learned, endOfText: learned, imStart: learned + 1, imEnd: learned + 2 };
}
