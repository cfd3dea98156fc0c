import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import type { TestModelResult } from "../../extension/protocol/model";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { writeTestLoraAdapter } from "../../extension/engine/model/testModel/writeTestLoraAdapter";

let dir: string;
let toy: TestModelResult;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "clade-testlora-"));
  toy = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 4 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeTestLoraAdapter", () => {
  it("writes llama.cpp's adapter layout: lora_a [in, rank], lora_b [rank, out], adapter metadata", async () => {
    const adapter = await writeTestLoraAdapter({ base: toy.shape, out: path.join(dir, "a.gguf"), rank: 4, alpha: 8, modules: ["attn_q", "attn_k", "ffn_down"] });
    expect(adapter).toMatchObject({ architecture: "llama", rank: 4, alpha: 8, targets: 6 });
    const info = await readGgufFileInfo(adapter.file, { logWarnings: false });
    const meta = info.metadata as unknown as { general: Record<string, unknown>; adapter: { type: string; lora: { alpha: number } } };
    expect(meta.general.type).toBe("adapter");
    expect(meta.general.architecture).toBe("llama");
    expect(meta.adapter.type).toBe("lora");
    expect(meta.adapter.lora.alpha).toBe(8);
    const dims = new Map((info.tensorInfo ?? []).map((t) => [t.name, t.dimensions.map(Number)]));
    expect(dims.get("blk.0.attn_q.weight.lora_a")).toEqual([64, 4]);
    expect(dims.get("blk.0.attn_q.weight.lora_b")).toEqual([4, 64]);
    expect(dims.get("blk.1.attn_k.weight.lora_a")).toEqual([64, 4]);
    expect(dims.get("blk.1.attn_k.weight.lora_b")).toEqual([4, 32]); // 2 KV heads × head size 16
    expect(dims.get("blk.1.ffn_down.weight.lora_a")).toEqual([128, 4]);
    expect(dims.get("blk.1.ffn_down.weight.lora_b")).toEqual([4, 64]);
    expect(dims.size).toBe(12);
    expect(adapter.parameterCount).toBe([...dims.values()].reduce((n, [a, b]) => n + a * b, 0));
  });

  it("gives the same adapter for a model's shape and for its file, and another for another seed", async () => {
    const fromShape = await writeTestLoraAdapter({ base: toy.shape, out: path.join(dir, "s.gguf"), seed: 5 });
    const fromFile = await writeTestLoraAdapter({ base: toy.file, out: path.join(dir, "f.gguf"), seed: 5 });
    const other = await writeTestLoraAdapter({ base: toy.file, out: path.join(dir, "o.gguf"), seed: 6 });
    expect(fromFile.sha256).toBe(fromShape.sha256);
    expect(other.sha256).not.toBe(fromShape.sha256);
    expect(fromFile.modules).toEqual(["attn_q", "attn_output", "ffn_up"]);
  });

  it("takes the architecture from the base model file", async () => {
    const qwen2 = await generateTestModel({ out: path.join(dir, "qwen2.gguf"), architecture: "qwen2", layers: 1 });
    const adapter = await writeTestLoraAdapter({ base: qwen2.file, out: path.join(dir, "q.gguf") });
    expect(adapter.architecture).toBe("qwen2");
  });

  it("fails with typed errors", async () => {
    const missing = await writeTestLoraAdapter({ base: path.join(dir, "nope.gguf"), out: path.join(dir, "x.gguf") }).catch((e: unknown) => e);
    expect(CladeError.is(missing, "model-missing")).toBe(true);
    const notGguf = path.join(dir, "text.gguf");
    await writeFile(notGguf, "this is not a model");
    const bad = await writeTestLoraAdapter({ base: notGguf, out: path.join(dir, "x.gguf") }).catch((e: unknown) => e);
    expect(CladeError.is(bad, "model-not-gguf")).toBe(true);
    const unknownModule = await writeTestLoraAdapter({ base: toy.shape, out: path.join(dir, "x.gguf"), modules: ["attn_qq"] }).catch((e: unknown) => e);
    expect(CladeError.is(unknownModule, "invalid-argument")).toBe(true);
    const absent = await writeTestLoraAdapter({ base: toy.file, out: path.join(dir, "x.gguf"), modules: ["attn_qkv"] }).catch((e: unknown) => e);
    expect(CladeError.is(absent, "invalid-argument")).toBe(true);
    const badRank = await writeTestLoraAdapter({ base: toy.shape, out: path.join(dir, "x.gguf"), rank: 0 }).catch((e: unknown) => e);
    expect(CladeError.is(badRank, "invalid-argument")).toBe(true);
  });
});
