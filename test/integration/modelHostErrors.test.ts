// Every way loading can fail, each with its CladeError reason and a fix: the pre-flight checks
// (which leave the loaded model alone) and the failures only llama.cpp can detect.
import { copyFile, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlamaGpuTypes } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError, type ErrorReason } from "../../extension/protocol/errors";
import type { ModelSpec } from "../../extension/protocol/model";
import type { ModelHost } from "../../extension/engine/model/modelHost";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { writeTestLoraAdapter } from "../../extension/engine/model/testModel/writeTestLoraAdapter";
import { recordingHost, storiesModel, tempDir } from "./modelHostFixtures";

let dir: string;
let cleanup: () => Promise<void>;
let host: ModelHost;
const model = storiesModel();
const base: Omit<ModelSpec, "model"> = { threads: 1, contextSize: 256, gpu: "cpu" };

async function loadError(spec: ModelSpec): Promise<CladeError> {
  const error = await host.load(spec).then(
    () => new Error("load succeeded"),
    (e: unknown) => e,
  );
  if (!(error instanceof CladeError)) throw new Error(`expected a CladeError, got ${String(error)}`);
  expect(error.fix.length).toBeGreaterThan(10);
  return error;
}

async function expectReason(spec: ModelSpec, reason: ErrorReason, message?: RegExp): Promise<void> {
  const error = await loadError(spec);
  expect(error.reason, error.message).toBe(reason);
  if (message) expect(error.message).toMatch(message);
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("clade-host-errors-"));
  ({ host } = recordingHost(dir));
  await host.load({ model, ...base });
});

afterAll(async () => {
  await host?.dispose();
  await cleanup?.();
});

describe("pre-flight validation (the loaded model stays loaded)", () => {
  it("model-missing for a path that does not exist", async () => {
    await expectReason({ model: path.join(dir, "nope.gguf"), ...base }, "model-missing", /does not exist/);
  });

  it("model-not-gguf for an empty file and for a non-GGUF file", async () => {
    await writeFile(path.join(dir, "empty.gguf"), "");
    await expectReason({ model: path.join(dir, "empty.gguf"), ...base }, "model-not-gguf", /empty/);
    await writeFile(path.join(dir, "text.gguf"), "this is not a model\n");
    await expectReason({ model: path.join(dir, "text.gguf"), ...base }, "model-not-gguf", /not a GGUF/);
  });

  it("model-corrupt for a truncated download and for a broken header", async () => {
    const bytes = await readFile(model);
    await writeFile(path.join(dir, "truncated.gguf"), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expectReason({ model: path.join(dir, "truncated.gguf"), ...base }, "model-corrupt", /truncated/);
    await writeFile(path.join(dir, "header.gguf"), Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(64, 0xff)]));
    await expectReason({ model: path.join(dir, "header.gguf"), ...base }, "model-corrupt", /header/);
  });

  it("invalid-argument for a relative path, bad numbers, and an adapter given as the model", async () => {
    await expectReason({ model: "models/x.gguf", ...base }, "invalid-argument", /relative/);
    await expectReason({ model, ...base, sequences: 0 }, "invalid-argument", /sequences/);
    const adapter = await writeTestLoraAdapter({ base: model, out: path.join(dir, "as-model.gguf"), modules: ["attn_q"] });
    await expectReason({ model: adapter.file, ...base }, "invalid-argument", /LoRA adapter, not a model/);
  });

  it("adapter-incompatible for an adapter made for another model shape or architecture", async () => {
    const toy = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 3 });
    const otherShape = await writeTestLoraAdapter({ base: toy.shape, out: path.join(dir, "toy-lora.gguf"), modules: ["ffn_up"] });
    await expectReason({ model, ...base, lora: [{ file: otherShape.file }] }, "adapter-incompatible", /ffn_up/);
    const otherArch = await writeTestLoraAdapter({ base: toy.shape, out: path.join(dir, "qwen-lora.gguf"), modules: ["attn_q"], architecture: "qwen2" });
    await expectReason({ model, ...base, lora: [{ file: otherArch.file }] }, "adapter-incompatible", /architecture/);
    await expectReason({ model, ...base, lora: [{ file: path.join(dir, "missing-lora.gguf") }] }, "invalid-argument", /does not exist/);
  });

  it("left the first model loaded through all of the above", async () => {
    expect(host.info?.file).toBe(model);
    expect((await host.chat({ messages: [{ role: "user", content: "Once" }], maxTokens: 4 })).usage.completionTokens).toBeGreaterThan(0);
  });
});

describe("failures llama.cpp reports", () => {
  it("no-binary when a GPU backend this machine cannot run is forced", async () => {
    const supported = await getLlamaGpuTypes("supported");
    const missing = (["cuda", "vulkan", "metal"] as const).find((gpu) => !supported.includes(gpu));
    expect(missing, `every GPU type is supported here: ${supported.join(", ")}`).toBeDefined();
    await expectReason({ model, ...base, gpu: missing }, "no-binary", new RegExp(missing as string));
  });

  it("out-of-memory for a context far bigger than RAM", async () => {
    // stories260K needs 1,280 bytes of KV cache per token: this asks for about 2.5x the machine's RAM.
    const tokens = Math.ceil(os.totalmem() / 500 / 256) * 256;
    await expectReason({ model, ...base, contextSize: tokens }, "out-of-memory", /memory|RAM/);
    // The host is still usable afterwards.
    await host.load({ model, ...base });
    expect(host.info?.contextSize).toBeGreaterThanOrEqual(256);
  });

  it("reloads a model file that changed on disk under the same path", async () => {
    const file = path.join(dir, "changing.gguf");
    await copyFile(model, file);
    const first = await host.load({ model: file, ...base });
    const toy = await generateTestModel({ out: file, seed: 9 });
    const second = await host.load({ model: file, ...base });
    expect(second.sha256).toBe(toy.sha256);
    expect(second.sha256).not.toBe(first.sha256);
    expect(second.vocabularySize).toBe(toy.shape.vocab);
  });

  it("model-unsupported-architecture, from llama.cpp's log (also after unloads and a failed backend)", async () => {
    await host.unload();
    const alien = await generateTestModel({ out: path.join(dir, "alien.gguf"), architecture: "clade-alien", seed: 5 });
    await expectReason({ model: alien.file, ...base }, "model-unsupported-architecture", /clade-alien/);
  });
});
