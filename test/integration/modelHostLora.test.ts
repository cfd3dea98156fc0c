// LoRA adapters through the model host, real inference: attaching an adapter changes greedy
// output, detaching restores it exactly, and switching adapters recreates only the context
// (the model stays loaded). On a generated model and on stories260K's real weights.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogEntry } from "../../extension/protocol/engine";
import type { ChatParams, ModelSpec } from "../../extension/protocol/model";
import type { ModelHost } from "../../extension/engine/model/modelHost";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { writeTestLoraAdapter } from "../../extension/engine/model/testModel/writeTestLoraAdapter";
import { recordingHost, storiesModel, tempDir } from "./modelHostFixtures";

let dir: string;
let cleanup: () => Promise<void>;
let host: ModelHost;
let logs: LogEntry[];
const prompt: ChatParams = { messages: [{ role: "user", content: "Write a function that adds two numbers." }], maxTokens: 24 };
const modelLoads = () => logs.filter((entry) => entry.source === "engine" && entry.message.startsWith("Loading model")).length;

async function greedyWith(spec: ModelSpec): Promise<string> {
  await host.load(spec);
  return (await host.chat({ ...prompt, lora: spec.lora })).text;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("clade-host-lora-"));
  ({ host, logs } = recordingHost(dir));
});

afterAll(async () => {
  await host?.dispose();
  await cleanup?.();
});

describe("LoRA adapters", () => {
  it("attach changes greedy output, detach restores it, and the model is loaded once", async () => {
    const toy = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 21 });
    const adapter = await writeTestLoraAdapter({ base: toy.shape, out: path.join(dir, "toy-lora.gguf"), seed: 2 });
    const spec: ModelSpec = { model: toy.file, threads: 1, contextSize: 512, gpu: "cpu" };
    const before = modelLoads();

    const base = await greedyWith(spec);
    const adapted = await greedyWith({ ...spec, lora: [{ file: adapter.file }] });
    expect(host.info?.lora).toEqual([{ file: adapter.file, scale: 1 }]);
    const restored = await greedyWith({ ...spec, lora: [] });
    expect(host.info?.lora).toEqual([]);
    const zeroScale = await greedyWith({ ...spec, lora: [{ file: adapter.file, scale: 0 }] });

    expect(base.length).toBeGreaterThan(0);
    expect(adapted).not.toBe(base);
    expect(restored).toBe(base);
    expect(zeroScale).toBe(base);
    expect(modelLoads() - before).toBe(1);
  });

  it("changes stories260K's output too (an adapter read from the model file)", async () => {
    const model = storiesModel();
    const adapter = await writeTestLoraAdapter({ base: model, out: path.join(dir, "stories-lora.gguf"), seed: 3, modules: ["attn_q", "ffn_up"] });
    const spec: ModelSpec = { model, threads: 1, contextSize: 512, gpu: "cpu" };
    const base = await greedyWith(spec);
    const adapted = await greedyWith({ ...spec, lora: [{ file: adapter.file, scale: 1 }] });
    const restored = await greedyWith(spec);
    expect(adapted).not.toBe(base);
    expect(restored).toBe(base);
  });
});
