// A tokenizer that remembers what it tokenized. A turn's prompt is the previous turn's prompt plus
// the new messages, and node-llama-cpp's LlamaText.tokenize tokenizes it piece by piece between
// special tokens (one piece per message with ChatML-style templates). So all but the new pieces
// are cache hits, and a turn tokenizes only what it added instead of the whole conversation
// (PERFORMANCE.md: tokenizing the whole conversation was ~3-5 ms a turn for 3,400 tokens).
// Keys are SHA-1 digests of the text, so the cache holds token ids, not copies of the conversation.
import { createHash } from "node:crypto";
import type { Token, Tokenizer } from "node-llama-cpp";

/** Pieces shorter than this are tokenized directly (hashing them costs about as much). */
const MIN_CACHED_CHARS = 64;

export class TokenCache {
  private readonly entries = new Map<string, readonly Token[]>();
  private tokens = 0;
  hits = 0;
  misses = 0;
  /** The caching tokenizer: same signature and results as the model's. */
  readonly tokenizer: Tokenizer;

  /** @param maxTokens most token ids kept (least recently used pieces are dropped first). */
  constructor(private readonly inner: Tokenizer, private readonly maxTokens = 256 * 1024) {
    const tokenize = (text: string, specialTokens?: boolean | "builtin", options?: "trimLeadingSpace"): Token[] => {
      if (specialTokens === "builtin" || typeof text !== "string" || text.length < MIN_CACHED_CHARS) {
        return (inner as (t: string, s?: boolean | "builtin", o?: "trimLeadingSpace") => Token[])(text, specialTokens, options);
      }
      return this.lookup(text, specialTokens === true, options === "trimLeadingSpace");
    };
    this.tokenizer = Object.assign(tokenize, {
      detokenize: inner.detokenize,
      isSpecialToken: (token: Token) => inner.isSpecialToken(token),
      isEogToken: (token: Token) => inner.isEogToken(token),
    }) as Tokenizer;
  }

  get size(): number {
    return this.entries.size;
  }

  private lookup(text: string, special: boolean, trim: boolean): Token[] {
    const key = `${special ? "s" : "-"}${trim ? "t" : "-"}${createHash("sha1").update(text).digest("base64")}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.hits++;
      this.entries.delete(key); // most recently used last
      this.entries.set(key, cached);
      return cached.slice();
    }
    this.misses++;
    const tokens = this.inner(text, special, trim ? "trimLeadingSpace" : undefined);
    if (tokens.length <= this.maxTokens) {
      this.entries.set(key, tokens.slice());
      this.tokens += tokens.length;
      for (const [oldest, value] of this.entries) {
        if (this.tokens <= this.maxTokens) break;
        this.entries.delete(oldest);
        this.tokens -= value.length;
      }
    }
    return tokens;
  }
}
