// The model host with real llama.cpp inference on stories260K (CPU, 1 thread): loading and
// ModelInfo, real generated tokens, sampling and seeds, the sequence pool under concurrency,
// session KV reuse, cancellation, unload and dispose.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import type { ChatParams } from "../../extension/protocol/model";
import type { ModelHost } from "../../extension/engine/model/modelHost";
import type { LogEntry } from "../../extension/protocol/engine";
import { recordingHost, storiesModel, tempDir } from "./modelHostFixtures";

let host: ModelHost;
let logs: LogEntry[];
let cleanup: () => Promise<void>;
const model = storiesModel();
const story = (text: string, extra: Partial<ChatParams> = {}): ChatParams => ({ messages: [{ role: "user", content: text }], maxTokens: 24, ...extra });

beforeAll(async () => {
  const temp = await tempDir("clade-host-");
  cleanup = temp.cleanup;
  ({ host, logs } = recordingHost(temp.dir));
  await host.load({ model, threads: 1, sequences: 2, contextSize: 1024, gpu: "cpu" });
});

afterAll(async () => {
  await host?.dispose();
  await cleanup?.();
});

describe("ModelHost on stories260K", () => {
  it("reports what it loaded", () => {
    const info = host.info;
    expect(info).toMatchObject({ file: model, architecture: "llama", layers: 5, embeddingLength: 64, vocabularySize: 512, sequences: 2, threads: 1, backend: "cpu", gpuLayers: 0, chatTemplate: null, functionCalling: false, lora: [] });
    expect(info?.contextSize).toBeGreaterThanOrEqual(1024);
    expect(info?.sha256).toBe("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d");
    expect(info?.parameterCount).toBeGreaterThan(200_000);
    expect(info?.chatWrapper.length).toBeGreaterThan(0);
    // llama.cpp's own log lines arrive with source "llama" (stories260K makes it warn about special tokens).
    expect(logs.some((entry) => entry.source === "llama")).toBe(true);
  });

  it("generates real tokens, streams them, and accounts tokens and timings", async () => {
    const chunks: string[] = [];
    const result = await host.chat(story("Once upon a time there was a little dog"), { onText: (chunk) => chunks.push(chunk) });
    expect(result.text.trim().length).toBeGreaterThan(10);
    expect(chunks.join("")).toBe(result.text);
    expect(result.stopReason).toMatch(/maxTokens|eos/);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeLessThanOrEqual(24);
    expect(result.usage.promptTokens).toBeGreaterThan(8);
    expect(result.timings.firstTokenMs).toBeGreaterThan(0);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.firstTokenMs);
  });

  it("is deterministic: greedy by default, and for a fixed seed when sampling", async () => {
    const prompt = "The little girl went to the park and";
    const greedy1 = await host.chat(story(prompt));
    const greedy2 = await host.chat(story(prompt));
    expect(greedy2.text).toBe(greedy1.text);
    const sampled = (seed: number) => host.chat(story(prompt, { temperature: 1.2, topK: 40, topP: 0.95, seed, maxTokens: 32 }));
    const [a, b] = [await sampled(7), await sampled(7)];
    expect(b.text).toBe(a.text);
    const others = await Promise.all([1, 2, 3].map((seed) => sampled(seed)));
    expect(others.some((other) => other.text !== a.text)).toBe(true);
  });

  it("honours maxTokens", async () => {
    const result = await host.chat(story("Tom had a big red ball", { maxTokens: 3 }));
    expect(result.usage.completionTokens).toBeLessThanOrEqual(3);
    expect(result.stopReason).toBe("maxTokens");
  });

  it("completes 3 concurrent chats on a 2-sequence context (the third waits)", async () => {
    const prompts = ["A cat sat on the mat", "The sun was hot", "Lily found a shiny stone"];
    const results = await Promise.all(prompts.map((p) => host.chat(story(p, { maxTokens: 16 }))));
    for (const result of results) {
      expect(result.text.trim().length).toBeGreaterThan(0);
      expect(result.usage.completionTokens).toBeGreaterThan(0);
    }
    // Each answer matches what the same prompt gives alone (no cross-talk between sequences).
    const alone = await host.chat(story(prompts[2], { maxTokens: 16 }));
    expect(results[2].text).toBe(alone.text);
  });

  it("keeps a session's KV cache between turns", async () => {
    const sessionId = "story-1";
    const first = await host.chat({ ...story("Once upon a time, a bird sang a song"), sessionId });
    const second = await host.chat({
      messages: [
        { role: "user", content: "Once upon a time, a bird sang a song" },
        { role: "assistant", content: first.text },
        { role: "user", content: "Then the bird flew away" },
      ],
      maxTokens: 16,
      sessionId,
    });
    // The whole first turn (prompt and answer) is reused; only the new message is evaluated.
    expect(second.usage.cachedPromptTokens).toBeGreaterThanOrEqual(first.usage.promptTokens);
    expect(second.usage.cachedPromptTokens).toBeLessThan(second.usage.promptTokens);
    host.endSession(sessionId);
  });

  it("cancels a running generation promptly, keeps the partial text, and stays usable", async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const pending = host.chat(story("Once upon a time", { maxTokens: 100_000 }), {
      signal: controller.signal,
      onText: (chunk) => {
        chunks.push(chunk);
        if (chunks.length === 5) controller.abort();
      },
    });
    const result = await pending;
    expect(result.stopReason).toBe("aborted");
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeLessThan(50);
    const after = await host.chat(story("The dog ran", { maxTokens: 8 }));
    expect(after.text.length).toBeGreaterThan(0);
    expect(after.stopReason).not.toBe("aborted");
  });

  it("lets a request waiting for a sequence be cancelled", async () => {
    const busy = [0, 1].map(() => host.chat(story("Once upon a time", { maxTokens: 400 })));
    const controller = new AbortController();
    const waiting = host.chat(story("A queued request"), { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(waiting).rejects.toSatisfy((error: unknown) => CladeError.is(error, "cancelled"));
    await Promise.all(busy);
  });

  it("rejects a request for other LoRA adapters than the context has", async () => {
    await expect(host.chat(story("x", { lora: [{ file: "/nonexistent/adapter.gguf" }] }))).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
  });

  it("unload leaves nothing loaded; chat then says model-not-loaded; dispose is idempotent", async () => {
    const temp = await tempDir("clade-host-unload-");
    const { host: other, logs: otherLogs } = recordingHost(temp.dir);
    await other.load({ model, threads: 1, contextSize: 256 });
    await other.unload();
    expect(other.info).toBeUndefined();
    await expect(other.chat(story("x"))).rejects.toSatisfy((error: unknown) => CladeError.is(error, "model-not-loaded"));
    await other.load({ model, threads: 1, contextSize: 256 });
    expect((await other.chat(story("Hi", { maxTokens: 4 }))).usage.completionTokens).toBeGreaterThan(0);
    // A second host (gpu "auto" here, "cpu" above) shares the process's llama.cpp binding and still gets its log.
    expect(otherLogs.some((entry) => entry.source === "llama")).toBe(true);
    await Promise.all([other.dispose(), other.dispose()]);
    await other.dispose();
    expect(other.info).toBeUndefined();
    await temp.cleanup();
  });
});
