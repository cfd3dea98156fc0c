// The prompt tokenizer cache (model/tokenCache.ts) against the real tokenizers of a generated chat
// model and of stories260K: a rendered agent conversation tokenizes to exactly the same ids with
// and without the cache, later turns hit the cache for every earlier message, and the cache keeps
// to its bound.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { getLlama, LlamaLogLevel, LlamaText, resolveChatWrapper, SpecialToken, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toChatHistory } from "../../extension/engine/model/chatHistory";
import { TokenCache } from "../../extension/engine/model/tokenCache";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import type { ChatMessage } from "../../extension/protocol/model";
import { realModelPath } from "../helpers/models";

let dir: string;
let llama: Llama;
let chatModel: LlamaModel;
let stories: LlamaModel;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "clade-tokencache-"));
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const toy = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 3 });
  chatModel = await llama.loadModel({ modelPath: toy.file });
  stories = await llama.loadModel({ modelPath: realModelPath() });
});

afterAll(async () => {
  await chatModel?.dispose();
  await stories?.dispose();
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

function conversation(turns: number): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: "system", content: "You are a careful coding agent. Read the files, fix the bug, run the tests, then call finish. ".repeat(3) },
    { role: "user", content: "The test `subtract` fails: expected 2, got -2. Fix calc.mjs so that all tests pass." },
  ];
  for (let t = 0; t < turns; t++) {
    messages.push({ role: "assistant", content: `{"name": "read_file", "arguments": {"path": "src/file${t}.mjs"}}` });
    messages.push({ role: "user", content: `Result of read_file:\nexport function f${t}(a, b) {\n  return b - a; // ünïcödé ✓ 日本語\n}\n`.repeat(2) });
  }
  return messages;
}

describe("TokenCache", () => {
  it("gives the model's own tokens for rendered conversations, and hits for every earlier message", () => {
    const wrapper = resolveChatWrapper(chatModel);
    const cache = new TokenCache(chatModel.tokenizer);
    let previousMisses = 0;
    for (let turns = 0; turns <= 6; turns++) {
      const text = wrapper.generateContextState({ chatHistory: toChatHistory(conversation(turns), { nativeTools: false }) }).contextText;
      expect(text.tokenize(cache.tokenizer)).toEqual(text.tokenize(chatModel.tokenizer));
      // Turn n adds two messages: at most those two long pieces (and the new generation prompt) miss.
      if (turns > 0) expect(cache.misses - previousMisses).toBeLessThanOrEqual(3);
      previousMisses = cache.misses;
    }
    expect(cache.hits).toBeGreaterThan(cache.misses);
  });

  it("keeps special-token, trimLeadingSpace and plain tokenizations apart (stories260K)", () => {
    const cache = new TokenCache(stories.tokenizer);
    const piece = " Once upon a time there was a little girl who liked to read stories about dragons.";
    const text = LlamaText([new SpecialToken("BOS"), piece, new SpecialToken("EOS"), piece]);
    for (let i = 0; i < 2; i++) expect(text.tokenize(cache.tokenizer)).toEqual(text.tokenize(stories.tokenizer));
    for (const args of [[false, undefined], [false, "trimLeadingSpace"], [true, undefined]] as const) {
      expect(cache.tokenizer(piece, args[0], args[1])).toEqual(stories.tokenizer(piece, args[0], args[1]));
    }
    expect(cache.tokenizer(piece, false, "trimLeadingSpace")).not.toEqual(cache.tokenizer(piece, false));
  });

  it("returns copies and drops the least recently used pieces past its bound", () => {
    const cache = new TokenCache(stories.tokenizer, 200);
    const piece = (i: number) => `Story number ${i}: the cat sat on the mat and looked at the moon for a long while.`;
    const first = cache.tokenizer(piece(0));
    first.push(first[0]!); // a caller changing its array does not change the cache
    expect(cache.tokenizer(piece(0))).toEqual(stories.tokenizer(piece(0)));
    for (let i = 1; i < 40; i++) cache.tokenizer(piece(i));
    expect(cache.size).toBeLessThan(40);
    const hits = cache.hits;
    cache.tokenizer(piece(0)); // evicted long ago
    expect(cache.hits).toBe(hits);
    cache.tokenizer(piece(39)); // the most recent
    expect(cache.hits).toBe(hits + 1);
  });
});
