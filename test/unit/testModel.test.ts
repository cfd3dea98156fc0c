import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import type { TestModelResult } from "../../extension/protocol/model";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { preTokenize, toByteSymbols } from "../../extension/engine/model/testModel/byteLevelBpe";
import { resolveTestModel } from "../../extension/engine/model/testModel/testModelShape";
import { buildTestVocabulary, MIN_VOCAB, TokenType } from "../../extension/engine/model/testModel/testVocabulary";

let dir: string;
let toy: TestModelResult;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "clade-testmodel-"));
  toy = await generateTestModel({ out: path.join(dir, "toy-a.gguf"), seed: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("generateTestModel", () => {
  it("writes the toy preset quickly, and reports its real hash, size and shape", async () => {
    const started = performance.now();
    const again = await generateTestModel({ out: path.join(dir, "toy-timed.gguf"), seed: 1 });
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(2000); // ~60–100 ms on this machine when idle
    const bytes = await readFile(toy.file);
    expect(toy.sizeBytes).toBe(bytes.length);
    expect(toy.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(again.sha256).toBe(toy.sha256);
    expect(toy.shape).toEqual({ layers: 2, embd: 64, heads: 4, kvHeads: 2, ff: 128, vocab: 1024, contextLength: 2048, type: "f32" });
  });

  it("is deterministic for a seed and different for another seed", async () => {
    const same = await generateTestModel({ out: path.join(dir, "toy-b.gguf"), seed: 1 });
    const other = await generateTestModel({ out: path.join(dir, "toy-c.gguf"), seed: 2 });
    expect(same.sha256).toBe(toy.sha256);
    expect(other.sha256).not.toBe(toy.sha256);
    expect(other.sizeBytes).toBe(toy.sizeBytes);
  });

  it("writes llama metadata, tokenizer and chat template that node-llama-cpp reads", async () => {
    const info = await readGgufFileInfo(toy.file, { logWarnings: false });
    const meta = info.metadata;
    expect(meta.general.architecture).toBe("llama");
    expect(meta.general.alignment).toBe(32);
    const arch = info.architectureMetadata;
    expect(arch.block_count).toBe(2);
    expect(arch.embedding_length).toBe(64);
    expect(arch.attention?.head_count).toBe(4);
    expect(arch.attention?.head_count_kv).toBe(2);
    expect(arch.feed_forward_length).toBe(128);
    expect(arch.context_length).toBe(2048);
    const tok = meta.tokenizer!.ggml! as unknown as Record<string, unknown> & { tokens: string[]; token_type: number[]; merges: string[] };
    expect(tok.model).toBe("gpt2");
    expect(tok.pre).toBe("qwen2");
    expect(tok.tokens.length).toBe(1024);
    expect(tok.token_type.length).toBe(1024);
    expect(tok.tokens[tok.eos_token_id as number]).toBe("<|im_end|>");
    expect(tok.tokens[tok.padding_token_id as number]).toBe("<|endoftext|>");
    expect(tok.add_bos_token).toBe(false);
    const template = meta.tokenizer!.chat_template as string;
    expect(template).toContain("<|im_start|>");
    expect(template).toContain("<tool_call>");
    // Parameter count = the elements of every tensor in the file.
    const elements = (info.tensorInfo ?? []).reduce((n, t) => n + t.dimensions.reduce((a: number, d) => a * Number(d), 1), 0);
    expect(toy.parameterCount).toBe(elements);
    expect(info.tensorInfo?.some((t) => t.name === "output.weight")).toBe(true); // the toy is untied
  });

  it("writes Q8_0 and F16 matrices (norms stay F32) and honours explicit dimensions", async () => {
    const q8 = await generateTestModel({ out: path.join(dir, "q8.gguf"), type: "q8_0", embd: 96, heads: 3, kvHeads: 1, ff: 160, layers: 1 });
    const info = await readGgufFileInfo(q8.file, { logWarnings: false });
    const types = new Map((info.tensorInfo ?? []).map((t) => [t.name, t.ggmlType]));
    expect(types.get("blk.0.attn_q.weight")).toBe(8);
    expect(types.get("token_embd.weight")).toBe(8);
    expect(types.get("blk.0.attn_norm.weight")).toBe(0);
    expect(q8.shape).toMatchObject({ layers: 1, embd: 96, heads: 3, kvHeads: 1, ff: 160, type: "q8_0" });
    const k = (info.tensorInfo ?? []).find((t) => t.name === "blk.0.attn_k.weight");
    expect(k?.dimensions.map(Number)).toEqual([96, 32]); // head size 32 × 1 KV head
    const f16 = await generateTestModel({ out: path.join(dir, "f16.gguf"), type: "f16", layers: 1 });
    const f16Info = await readGgufFileInfo(f16.file, { logWarnings: false });
    expect(f16Info.tensorInfo?.find((t) => t.name === "blk.0.ffn_down.weight")?.ggmlType).toBe(1);
    expect(f16.sizeBytes).toBeLessThan(toy.sizeBytes);
  });

  it("writes another architecture name when asked", async () => {
    const other = await generateTestModel({ out: path.join(dir, "unknown.gguf"), architecture: "clade-unknown", layers: 1 });
    const info = await readGgufFileInfo(other.file, { logWarnings: false });
    expect(info.metadata.general.architecture).toBe("clade-unknown");
    expect((info.metadata as unknown as Record<string, Record<string, unknown>>)["clade-unknown"].block_count).toBe(1);
  });

  it("can be cancelled, leaving no file", async () => {
    const controller = new AbortController();
    const out = path.join(dir, "cancelled.gguf");
    const error = await generateTestModel({ out }, (p) => p.done > 0 && controller.abort(), controller.signal).catch((e: unknown) => e);
    expect(CladeError.is(error, "cancelled")).toBe(true);
    await expect(readFile(out)).rejects.toThrow();
  });

  it("reports progress in parameters, ending at the total", async () => {
    const seen: Array<{ done: number; total: number }> = [];
    const r = await generateTestModel({ out: path.join(dir, "progress.gguf") }, (p) => seen.push(p));
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.at(-1)).toEqual({ done: r.parameterCount, total: r.parameterCount });
    for (let i = 1; i < seen.length; i++) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
  });
});

describe("resolveTestModel", () => {
  it("has the Qwen2.5-0.5B preset's dimensions", () => {
    const q = resolveTestModel({ out: "x", preset: "qwen2.5-0.5b" });
    expect(q.shape).toEqual({ layers: 24, embd: 896, heads: 14, kvHeads: 2, ff: 4864, vocab: 151936, contextLength: 32768, type: "q8_0" });
    expect(q.tiedEmbeddings).toBe(true);
    expect(resolveTestModel({ out: "x", preset: "qwen2.5-0.5b", layers: 2, type: "f16" }).shape).toMatchObject({ layers: 2, embd: 896, type: "f16" });
  });

  it.each([
    [{ embd: 65, heads: 4 }, "multiple of heads"],
    [{ heads: 4, kvHeads: 3 }, "multiple of kvHeads"],
    [{ type: "q8_0" as const, embd: 48, heads: 4 }, "multiples of 32"],
    [{ vocab: 100 }, "at least"],
    [{ layers: 0 }, "layers"],
    [{ seed: -1 }, "seed"],
    [{ architecture: "bad name" }, "architecture"],
  ])("rejects %j with a CladeError", (options, text) => {
    let error: unknown;
    try {
      resolveTestModel({ out: "x", ...options });
    } catch (e) {
      error = e;
    }
    expect(CladeError.is(error, "invalid-argument")).toBe(true);
    expect((error as CladeError).message).toContain(text);
    expect((error as CladeError).fix.length).toBeGreaterThan(0);
  });
});

describe("test vocabulary", () => {
  const vocab = buildTestVocabulary(1024);

  it("has 256 byte tokens, unique texts, and merges whose parts and results are tokens", () => {
    expect(vocab.tokens.length).toBe(1024);
    expect(new Set(vocab.tokens).size).toBe(1024);
    expect(new Set(vocab.tokens.slice(0, 256).map((t) => [...t].length))).toEqual(new Set([1]));
    const ids = new Set(vocab.tokens);
    for (const merge of vocab.merges) {
      const [left, right] = merge.split(" ");
      expect(ids.has(left) && ids.has(right) && ids.has(left + right)).toBe(true);
    }
    expect(new Set(vocab.merges).size).toBe(vocab.merges.length);
  });

  it("makes common English words and code keywords single tokens", () => {
    for (const word of [" the", " function", " return", " file", " test", "const", " import", " model"]) {
      expect(preTokenize(word)).toEqual([word]); // one pre-token…
      expect(vocab.tokens).toContain(toByteSymbols(word).join("")); // …that is one token
    }
  });

  it("puts ChatML and tool-call special tokens after the learned tokens, and pads with unused tokens", () => {
    expect(vocab.tokens[vocab.imStart]).toBe("<|im_start|>");
    expect(vocab.tokens[vocab.imEnd]).toBe("<|im_end|>");
    expect(vocab.tokens[vocab.endOfText]).toBe("<|endoftext|>");
    expect(vocab.types[vocab.imEnd]).toBe(TokenType.control);
    expect(vocab.tokens).toContain("<tool_call>");
    expect(vocab.tokens).toContain("</tool_call>");
    const big = buildTestVocabulary(5000);
    expect(big.tokens.length).toBe(5000);
    expect(big.types.at(-1)).toBe(TokenType.unused);
    expect(big.tokens.slice(0, vocab.learned)).toEqual(vocab.tokens.slice(0, vocab.learned)); // same merges, as a prefix
    expect(buildTestVocabulary(MIN_VOCAB).merges).toEqual([]);
  });
});
