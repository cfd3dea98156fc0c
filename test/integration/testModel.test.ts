// Generated test models in real llama.cpp (node-llama-cpp, CPU, 1 thread): they load, generate
// real tokens, tokenize any UTF-8 losslessly, resolve to a chat wrapper with function calling,
// and a generated LoRA adapter changes their output. Also writes the 0.5B preset once and runs it.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { getLlama, JinjaTemplateChatWrapper, LlamaChatSession, LlamaLogLevel, QwenChatWrapper, resolveChatWrapper, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestModelResult } from "../../extension/protocol/model";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { writeTestLoraAdapter } from "../../extension/engine/model/testModel/writeTestLoraAdapter";
import { buildTestVocabulary } from "../../extension/engine/model/testModel/testVocabulary";
import { Prng } from "../../extension/engine/model/testModel/prng";

let dir: string;
let llama: Llama;
let toy: TestModelResult;
let model: LlamaModel;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "clade-testmodel-int-"));
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  toy = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 1 });
  model = await llama.loadModel({ modelPath: toy.file });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Greedy continuation of `prompt`, `n` tokens, in a fresh 1-thread context (optionally with a LoRA adapter). */
async function greedy(m: LlamaModel, prompt: string, n: number, lora?: { filePath: string; scale: number }): Promise<Token[]> {
  const context = await m.createContext({ contextSize: 256, threads: 1, ...(lora ? { lora: { adapters: [lora] } } : {}) });
  try {
    const out: Token[] = [];
    for await (const token of context.getSequence().evaluate(m.tokenize(prompt), { temperature: 0 })) {
      out.push(token);
      if (out.length >= n) break;
    }
    return out;
  } finally {
    await context.dispose();
  }
}

/** Next-token probabilities after `prompt`. */
async function nextTokenProbabilities(m: LlamaModel, prompt: string, lora?: { filePath: string; scale: number }): Promise<Map<Token, number>> {
  const context = await m.createContext({ contextSize: 256, threads: 1, ...(lora ? { lora: { adapters: [lora] } } : {}) });
  try {
    for await (const item of context.getSequence().evaluateWithMetadata(m.tokenize(prompt), { probabilities: true }, { temperature: 0 })) {
      return item.probabilities;
    }
    throw new Error("no token was evaluated");
  } finally {
    await context.dispose();
  }
}

describe("toy test model in llama.cpp", () => {
  it("generates varied, real tokens", async () => {
    const tokens = await greedy(model, "The agent reads the task and", 48);
    expect(tokens.length).toBe(48);
    const learned = buildTestVocabulary(toy.shape.vocab).learned;
    expect(tokens.every((t) => t < learned)).toBe(true); // byte/BPE tokens, not specials or padding
    expect(new Set(tokens).size).toBeGreaterThanOrEqual(24); // not one token repeated forever
    const text = model.detokenize(tokens);
    expect(text.trim().length).toBeGreaterThan(20);
  });

  it("answers through a chat session with its chat template", async () => {
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    try {
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });
      const answer = await session.prompt("Write a function that adds two numbers.", { maxTokens: 24, temperature: 0 });
      expect(answer.length).toBeGreaterThan(0);
    } finally {
      await context.dispose();
    }
  });

  it("tokenizes and detokenizes arbitrary UTF-8 losslessly", () => {
    const fixed = [
      "Hello, world! The function returns the value.",
      "const add = (a: number, b: number): number => a + b; // 😀 ✓",
      "def f(x):\n\treturn x ** 2  # 中文 日本語 한국어\r\n",
      "emoji 👩‍💻🏳️‍🌈 flags 🇫🇷, combining é (e\u0301), math ∑∫√, RTL مرحبا שלום",
      "   leading and trailing spaces   \n\n\n",
      "<|im_start|>user\nnot special when parsed as text<|im_end|>",
      '{"name": "read_file", "arguments": {"path": "src/index.ts"}}',
    ];
    const rng = new Prng(11, "utf8");
    const ranges: Array<[number, number]> = [[0x20, 0x7e], [0x01, 0x1f], [0xa0, 0x24f], [0x370, 0x3ff], [0x4e00, 0x4fff], [0x1f300, 0x1f64f], [0x10000, 0x1ffff]];
    for (let s = 0; s < 40; s++) {
      let text = "";
      const length = 1 + Math.floor(rng.next() * 40);
      for (let i = 0; i < length; i++) {
        const [lo, hi] = ranges[Math.floor(rng.next() * ranges.length)];
        text += String.fromCodePoint(lo + Math.floor(rng.next() * (hi - lo + 1)));
      }
      fixed.push(text);
    }
    for (const text of fixed) {
      const tokens = model.tokenize(text);
      expect(model.detokenize(tokens)).toBe(text);
    }
  });

  it("has common words and keywords as single tokens", () => {
    for (const word of [" the", " function", " return", "const", " import", " test"]) expect(model.tokenize(word)).toHaveLength(1);
    expect(model.tokenize("<|im_end|>", true)).toHaveLength(1); // special token when special tokens are parsed
    expect(model.tokenize("<|im_end|>", false).length).toBeGreaterThan(1);
  });

  it("resolves to a chat wrapper with function calling", async () => {
    const wrapper = resolveChatWrapper(model);
    // With general.architecture = "llama", node-llama-cpp's QwenChatWrapper declines the model, so
    // the Jinja template wrapper is used; it extracts Qwen's <tool_call> syntax from the template.
    expect(wrapper).toBeInstanceOf(JinjaTemplateChatWrapper);
    const functions = wrapper.settings.functions;
    expect(JSON.stringify(functions.call.prefix)).toContain("<tool_call>");
    expect(JSON.stringify(functions.call.suffix)).toContain("</tool_call>");

    const qwen2 = await generateTestModel({ out: path.join(dir, "toy-qwen2.gguf"), seed: 1, architecture: "qwen2" });
    const qwenModel = await llama.loadModel({ modelPath: qwen2.file });
    try {
      expect(resolveChatWrapper(qwenModel)).toBeInstanceOf(QwenChatWrapper);
      expect((await greedy(qwenModel, "Hello", 4)).length).toBe(4);
    } finally {
      await qwenModel.dispose();
    }
  });

  it("fails to load with an unsupported architecture name (and only because of it)", async () => {
    const unknown = await generateTestModel({ out: path.join(dir, "unknown.gguf"), architecture: "clade-unknown", layers: 1 });
    const known = await generateTestModel({ out: path.join(dir, "known.gguf"), layers: 1 });
    // node-llama-cpp 3.22.1 leaks a dispose guard when loadModel fails: the half-built LlamaModel
    // holds a handle that only its own dispose() releases, and once it is garbage-collected
    // Llama.dispose() waits forever. So this load gets its own Llama instance, left to the
    // process's exit, and the shared one can still be disposed. (llama.cpp prints the reason,
    // "unknown model architecture: 'clade-unknown'", straight to stderr, past node-llama-cpp's logger.)
    const separate = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    await expect(separate.loadModel({ modelPath: unknown.file })).rejects.toThrow(/failed to load/i);
    const same = await llama.loadModel({ modelPath: known.file }); // the same model named "llama" loads
    await same.dispose();
  });

  it("loads a generated LoRA adapter that changes the logits and the greedy output", async () => {
    const adapter = await writeTestLoraAdapter({ base: toy.file, out: path.join(dir, "lora.gguf"), seed: 3 });
    const prompt = "The agent reads the task and";
    const base = await greedy(model, prompt, 16);
    const adapted = await greedy(model, prompt, 16, { filePath: adapter.file, scale: 1 });
    const zeroScale = await greedy(model, prompt, 16, { filePath: adapter.file, scale: 0 });
    expect(adapted).not.toEqual(base);
    expect(zeroScale).toEqual(base); // the adapter adds scale·B·A·x and nothing else

    const p0 = await nextTokenProbabilities(model, prompt);
    const p1 = await nextTokenProbabilities(model, prompt, { filePath: adapter.file, scale: 1 });
    const tokens = new Set([...p0.keys(), ...p1.keys()]);
    let change = 0;
    for (const t of tokens) change += Math.abs((p0.get(t) ?? 0) - (p1.get(t) ?? 0));
    expect(change).toBeGreaterThan(0.1); // total variation × 2
  });
});

describe("qwen2.5-0.5b preset", () => {
  it("writes a 0.5B-parameter Q8_0 model that loads and generates", async () => {
    const started = performance.now();
    const big = await generateTestModel({ out: path.join(dir, "qwen2.5-0.5b.gguf"), seed: 1, preset: "qwen2.5-0.5b" });
    const seconds = (performance.now() - started) / 1000;
    console.log(`qwen2.5-0.5b test model: ${(big.sizeBytes / 2 ** 20).toFixed(0)} MiB, ${big.parameterCount} parameters, written in ${seconds.toFixed(1)} s`);
    expect(big.parameterCount).toBe(494_005_120); // Qwen2.5-0.5B's count with tied embeddings
    expect(big.sizeBytes).toBeGreaterThan(500e6);
    expect(big.sizeBytes).toBeLessThan(560e6);

    const bigModel = await llama.loadModel({ modelPath: big.file });
    try {
      expect(bigModel.fileInfo.metadata.general.architecture).toBe("llama");
      const tokens = await greedy(bigModel, "The agent reads the task and", 8);
      expect(tokens.length).toBe(8);
      const learned = buildTestVocabulary(big.shape.vocab).learned;
      expect(tokens.every((t) => t < learned)).toBe(true); // real tokens, not the unused padding
      expect(bigModel.detokenize(tokens).length).toBeGreaterThan(0);
    } finally {
      await bigModel.dispose();
      await rm(big.file, { force: true });
    }
  });
});
