// Byte-level BPE (GPT-2 / Qwen style): the byte-to-unicode map, the Qwen2 pre-tokenizer split,
// and deterministic merge learning from a corpus.

/**
 * GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others are shifted to
 * U+0100 onwards. Returned in GPT-2 vocabulary order (printable ranges first), so index i is the
 * text of token i in the 256 byte tokens.
 */
function buildByteTokens(): { order: number[]; text: string[] } {
  const order: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) order.push(b);
  for (let b = 0xa1; b <= 0xac; b++) order.push(b);
  for (let b = 0xae; b <= 0xff; b++) order.push(b);
  const chars = order.map((b) => b);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (!order.includes(b)) {
      order.push(b);
      chars.push(256 + extra++);
    }
  }
  const text: string[] = new Array(256);
  order.forEach((b, i) => (text[b] = String.fromCodePoint(chars[i])));
  return { order, text };
}

const byteTokens = buildByteTokens();
/** BYTE_ORDER[i] is the byte of byte token i. */
export const BYTE_ORDER: readonly number[] = byteTokens.order;
/** BYTE_TEXT[b] is the vocabulary text standing for byte b. */
export const BYTE_TEXT: readonly string[] = byteTokens.text;

/** llama.cpp's Qwen2 pre-tokenizer regex (tokenizer.ggml.pre = "qwen2"). */
const QWEN2_SPLIT =
  /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

export function preTokenize(text: string): string[] {
  return text.match(QWEN2_SPLIT) ?? [];
}

const utf8 = new TextEncoder();

/** A pre-token as byte-token texts (one per UTF-8 byte). */
export function toByteSymbols(piece: string): string[] {
  return Array.from(utf8.encode(piece), (b) => BYTE_TEXT[b]);
}

/**
 * Learns up to `maxMerges` merges: repeatedly joins the most frequent adjacent pair inside
 * pre-tokens (ties: the pair whose texts sort first), until every pre-token is one symbol.
 * Deterministic, and the first n merges do not depend on maxMerges. Pair counts are updated
 * incrementally (only the words that contain the merged pair are recounted).
 */
export function learnMerges(corpus: string, maxMerges: number): Array<[string, string]> {
  const counts = new Map<string, number>();
  for (const piece of preTokenize(corpus)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  const table = new SymbolTable();
  const words = [...counts.entries()].map(([piece, count]) => ({ syms: toByteSymbols(piece).map((s) => table.intern(s)), count }));
  const pairs = new PairIndex();
  words.forEach((w, i) => pairs.addWord(w.syms, w.count, i));

  const merges: Array<[string, string]> = [];
  while (merges.length < maxMerges) {
    const best = pairs.best(table.symbols);
    if (best === null) break;
    const [left, right] = unpack(best);
    merges.push([table.symbols[left], table.symbols[right]]);
    const merged = table.intern(table.symbols[left] + table.symbols[right]);
    for (const i of [...(pairs.wordsWith(best) ?? [])]) {
      const w = words[i];
      pairs.removeWord(w.syms, w.count, i);
      w.syms = mergeWord(w.syms, left, right, merged);
      pairs.addWord(w.syms, w.count, i);
    }
  }
  return merges;
}

class SymbolTable {
  readonly symbols: string[] = [];
  private readonly ids = new Map<string, number>();
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.symbols.length;
      this.symbols.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

/** Symbol ids stay below 2^20 here (a corpus of a few KB), so a pair packs into one number. */
const PAIR_SHIFT = 2 ** 20;
const pack = (left: number, right: number): number => left * PAIR_SHIFT + right;
const unpack = (key: number): [number, number] => [Math.floor(key / PAIR_SHIFT), key % PAIR_SHIFT];

/** Weighted counts of adjacent symbol pairs, and which words contain each pair. */
class PairIndex {
  private readonly counts = new Map<number, number>();
  private readonly words = new Map<number, Set<number>>();

  addWord(syms: readonly number[], count: number, word: number): void {
    for (let i = 0; i + 1 < syms.length; i++) {
      const key = pack(syms[i], syms[i + 1]);
      this.counts.set(key, (this.counts.get(key) ?? 0) + count);
      let set = this.words.get(key);
      if (!set) this.words.set(key, (set = new Set()));
      set.add(word);
    }
  }

  removeWord(syms: readonly number[], count: number, word: number): void {
    for (let i = 0; i + 1 < syms.length; i++) {
      const key = pack(syms[i], syms[i + 1]);
      const left = (this.counts.get(key) ?? 0) - count;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
      this.words.get(key)?.delete(word);
    }
  }

  wordsWith(key: number): Set<number> | undefined {
    return this.words.get(key);
  }

  best(symbols: readonly string[]): number | null {
    let bestKey = -1;
    let bestCount = 0;
    for (const [key, count] of this.counts) {
      if (count > bestCount || (count === bestCount && comparePairs(key, bestKey, symbols) < 0)) {
        bestKey = key;
        bestCount = count;
      }
    }
    return bestKey < 0 ? null : bestKey;
  }
}

function comparePairs(a: number, b: number, symbols: readonly string[]): number {
  const [la, ra] = unpack(a);
  const [lb, rb] = unpack(b);
  if (symbols[la] !== symbols[lb]) return symbols[la] < symbols[lb] ? -1 : 1;
  if (symbols[ra] !== symbols[rb]) return symbols[ra] < symbols[rb] ? -1 : 1;
  return 0;
}

function mergeWord(syms: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < syms.length; i++) {
    if (i + 1 < syms.length && syms[i] === left && syms[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(syms[i]);
    }
  }
  return out;
}
