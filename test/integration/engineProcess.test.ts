// The engine as a real child process behind JSON-RPC: the same path the VS Code extension and the
// CLI use. Real llama.cpp inference on the real stories260K model and on a generated chat model.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Requests, type ProgressValue } from "../../extension/protocol/engine";
import { CladeError } from "../../extension/protocol/errors";
import { EngineClient } from "../../extension/engine/rpc/engineClient";
import engineNodeFlags from "../../extension/engine/rpc/engineNodeFlags.json";
import { generatedModel, realModelPath, repoRoot } from "../helpers/models";

const enginePath = path.join(repoRoot, "dist", "engine.mjs");
const clients: EngineClient[] = [];

async function startEngine(): Promise<EngineClient> {
  const client = await EngineClient.start({ enginePath });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) {
    await client.stop().catch(() => undefined);
    client.dispose();
  }
});

describe("engine process", () => {
  it("answers ping with its pid, which is not the test's", async () => {
    const client = await startEngine();
    const pong = await client.request(Requests.ping, undefined);
    expect(pong.pid).toBe(client.pid);
    expect(pong.pid).not.toBe(process.pid);
    expect(pong.version).toMatch(/^\d+\.\d+\.\d+/);
    // Its memory, and the V8 flags it was started with (a fixed, small young generation).
    expect(pong.memory.rss).toBeGreaterThan(pong.memory.heapUsed);
    const cmdline = readFileSync(`/proc/${pong.pid}/cmdline`, "utf8").split("\0");
    expect(cmdline).toEqual(expect.arrayContaining(engineNodeFlags.execArgv));
  });

  it("describes this machine's hardware for a GPU choice, with the reason for the backend", async () => {
    const client = await startEngine();
    const auto = await client.request(Requests.hardware, { gpu: "auto" });
    expect(auto.cpuCores).toBeGreaterThan(0);
    expect(auto.cpuMathCores).toBeGreaterThan(0);
    expect(auto.totalRamBytes).toBeGreaterThan(1e9);
    expect(auto.platform).toBe(`${process.platform}-${process.arch}`);
    expect(auto.backendReason).toMatch(/^"auto" /);
    // This machine has no GPU: auto runs on the CPU and says what it looked for and how to fix it
    // (with a Vulkan loader and only a software renderer installed: that its binary found no device).
    if (auto.backend === "cpu") expect(auto.backendReason).toMatch(/no GPU runtime was found \(looked for .*cuda.*\)|the vulkan runtime is present, but it found no vulkan device/);
    else expect(auto.gpuDevices.length).toBeGreaterThan(0);
    const cpu = await client.request(Requests.hardware, { gpu: "cpu" });
    expect(cpu).toMatchObject({ backend: "cpu", gpuDevices: [], vramTotalBytes: 0 });
    expect(cpu.backendReason).toBe('clade.model.gpu is "cpu": llama.cpp runs on the CPU only.');
  });

  it("loads the real stories260K model with progress and generates real text", async () => {
    const client = await startEngine();
    const progress: ProgressValue[] = [];
    const info = await client.request(Requests.loadModel, { model: realModelPath(), threads: 1, contextSize: 512, sequences: 1 }, { onProgress: (p) => progress.push(p) });
    expect(info.architecture).toBe("llama");
    expect(info.backend).toBe("cpu");
    expect(info.threads).toBe(1);
    expect(progress.length).toBeGreaterThan(0);
    const reply = await client.request(Requests.chat, { messages: [{ role: "user", content: "Once upon a time" }], maxTokens: 24, temperature: 0 });
    console.log(`[stories260K via engine] ${JSON.stringify(reply.text)}`);
    expect(reply.usage.completionTokens).toBeGreaterThan(0);
    expect(reply.text.trim().length).toBeGreaterThan(0);
  });

  it("loads a generated chat model and makes a grammar-constrained tool call that parses", async () => {
    const model = await generatedModel();
    const client = await startEngine();
    const info = await client.request(Requests.loadModel, { model: model.file, threads: 1, contextSize: 1024, sequences: 2 });
    expect(info.chatTemplate).toBeTruthy();
    expect(info.functionCalling).toBe(true);
    const reply = await client.request(Requests.chat, {
      messages: [{ role: "user", content: "Read the file README.md" }],
      tools: [
        { name: "read_file", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string", maxLength: 40 } }, required: ["path"] } },
        { name: "finish", description: "Stop", parameters: { type: "object", properties: { summary: { type: "string", maxLength: 40 } }, required: ["summary"] } },
      ],
      toolChoice: "required",
      maxTokens: 128,
      temperature: 0.8,
      seed: 3,
    });
    console.log(`[generated model tool call via engine] ${JSON.stringify(reply.toolCalls)}`);
    expect(reply.toolCalls).toHaveLength(1);
    expect(["read_file", "finish"]).toContain(reply.toolCalls[0].name);
    expect(typeof reply.toolCalls[0].arguments).toBe("object");
  });

  it("survives a cancelled request and keeps serving", async () => {
    const client = await startEngine();
    await client.request(Requests.loadModel, { model: realModelPath(), threads: 1, contextSize: 2048, sequences: 1 });
    const controller = new AbortController();
    const pending = client.request(Requests.chat, { messages: [{ role: "user", content: "Once" }], maxTokens: 1500, temperature: 0.9, seed: 1 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const outcome = await pending.then((result) => result.stopReason, (error: unknown) => (CladeError.is(error, "cancelled") ? "cancelled" : error));
    expect(["aborted", "cancelled"]).toContain(outcome);
    const after = await client.request(Requests.chat, { messages: [{ role: "user", content: "The dog" }], maxTokens: 8, temperature: 0 });
    expect(after.usage.completionTokens).toBeGreaterThan(0);
  });

  it("reports typed errors with a fix across the wire", async () => {
    const client = await startEngine();
    const error = await client.request(Requests.loadModel, { model: "/nonexistent/model.gguf", threads: 1 }).catch((e: unknown) => e);
    expect(CladeError.is(error, "model-missing")).toBe(true);
    expect((error as CladeError).fix.length).toBeGreaterThan(10);
    const notLoaded = await client.request(Requests.modelInfo, undefined).catch((e: unknown) => e);
    expect(CladeError.is(notLoaded, "model-not-loaded")).toBe(true);
  });

  it("turns an engine crash into an engine-crashed error and an unexpected exit", async () => {
    const client = await startEngine();
    await client.request(Requests.loadModel, { model: realModelPath(), threads: 1, contextSize: 2048, sequences: 1 });
    const exited = new Promise((resolve) => client.onExit(resolve));
    const pending = client.request(Requests.chat, { messages: [{ role: "user", content: "Once" }], maxTokens: 1500, temperature: 0.9 });
    setTimeout(() => process.kill(client.pid!, "SIGKILL"), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(CladeError.is(error, "engine-crashed")).toBe(true);
    expect(await exited).toMatchObject({ signal: "SIGKILL", unexpected: true });
    expect(client.isRunning).toBe(false);
    // A fresh engine starts fine afterwards: that is what "Restart Engine" does.
    const again = await startEngine();
    expect((await again.request(Requests.ping, undefined)).pid).not.toBe(client.pid);
  });
});
