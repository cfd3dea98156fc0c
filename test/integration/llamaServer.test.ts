// Inference servers as model providers, against a real llama.cpp `llama-server` built from the
// llama.cpp source node-llama-cpp ships (scripts/setupLlamaServer.mjs), started here on 127.0.0.1:
// grammar-constrained tool calls through its json_schema, prompt caching in its slots, `clade chat`,
// `clade run` and `clade evolve` with `--model openai:…`, and each failure mapped to Clade's
// typed errors (unreachable, API key, context overflow, timeout, a server restart mid-run).
// The model is the generated toy (random weights): only a grammar makes its replies parse.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvolveResult } from "../../extension/protocol/engine";
import { CladeError } from "../../extension/protocol/errors";
import type { ChatParams } from "../../extension/protocol/model";
import type { RunResult } from "../../extension/protocol/run";
import { ModelHost } from "../../extension/engine/model/modelHost";
import { RemoteModel } from "../../extension/engine/model/remote/remoteModel";
import { parseJson, runCli } from "../helpers/cli";
import { freePort, startLlamaServer, type LlamaServer } from "../helpers/llamaServer";
import { generatedModel } from "../helpers/models";

let server: LlamaServer;
let model: string;
const hosts: ModelHost[] = [];

// Arguments from a closed set: a random-weights model fills a free string until max_tokens, and a
// reply cut there cannot parse whatever the grammar (the agent runs below use the seed's real tools).
const tools = [
  { name: "read_file", description: "Read a file of the workspace", parameters: { type: "object", properties: { path: { enum: ["calc.mjs", "README.md"] } }, required: ["path"] } },
  { name: "finish", description: "Say the task is done", parameters: { type: "object", properties: {}, required: [] } },
];
const required = (seed: number, extra = ""): ChatParams => ({
  messages: [{ role: "system", content: "You are a coding agent." }, { role: "user", content: `Fix the failing test.${extra}` }],
  tools, toolChoice: "required", maxTokens: 400, temperature: 0.8, seed,
});

async function host(modelUri: string, apiKey?: string): Promise<ModelHost> {
  const h = new ModelHost({ log: () => undefined, defaultCacheDir: os.tmpdir() });
  hosts.push(h);
  await h.load({ model: modelUri, ...(apiKey ? { apiKey } : {}) });
  return h;
}

beforeAll(async () => {
  model = (await generatedModel()).file;
  server = await startLlamaServer({ model, contextPerSlot: 2048, slots: 2, threads: 1 });
});

afterAll(async () => {
  for (const h of hosts) await h.dispose();
  await server?.stop();
});

describe("a model on llama-server (openai: URI)", () => {
  it("connects: detects llama.cpp, its slots and context, and says so in ModelInfo", async () => {
    const h = await host(server.modelUri);
    expect(h.info).toMatchObject({ backend: "remote", architecture: "llama.cpp server", name: "clade-test", sequences: 2, contextPerSequence: 2048 });
    expect(h.info!.backendReason).toMatch(/^served by llama\.cpp .*at http:\/\/127\.0\.0\.1:\d+\/v1; tool calls constrained by its json_schema grammar/);
    expect(h.info!.contextReason).toMatch(/2048 tokens per slot × 2 slot\(s\)/);
  });

  it("makes grammar-constrained tool calls that always parse (a random-weights model), reports usage, reuses the slot's cache", async () => {
    const h = await host(server.modelUri);
    for (let seed = 1; seed <= 6; seed++) {
      const result = await h.chat(required(seed));
      expect(result.toolCalls, `seed ${seed}: ${result.text}`).toHaveLength(1);
      expect(["read_file", "finish"]).toContain(result.toolCalls[0]!.name);
      expect(typeof result.toolCalls[0]!.arguments).toBe("object");
      expect(result.usage.promptTokens).toBeGreaterThan(20);
      expect(result.usage.completionTokens).toBeGreaterThan(0);
    }
    // The same long prefix again: the server's slot keeps it (cache_prompt), so most of it is reused.
    const long = " Context: " + "the parser reads one line at a time and keeps the last error. ".repeat(12);
    await h.chat(required(11, long));
    const again = await h.chat(required(12, long));
    expect(again.usage.cachedPromptTokens).toBeGreaterThan(again.usage.promptTokens / 2);
  });

  it("answers `clade chat --model openai:…` through the engine", async () => {
    const result = await runCli(["chat", "--model", server.modelUri, "--prompt", "Say hello.", "--max-tokens", "8", "--json"], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const reply = parseJson<{ model: { backend: string }; usage: { completionTokens: number }; stopReason: string }>(result);
    expect(reply.model.backend).toBe("remote");
    expect(reply.usage.completionTokens).toBeGreaterThan(0);
  });

  // The same commands in-process and on the server: the agent's contract does not depend on where the model runs.
  for (const where of ["in-process", "llama-server"] as const) {
    it(`runs \`clade run\` and a \`clade evolve\` session with the model ${where} (tool calls parse; every job ends)`, async () => {
      const uri = where === "in-process" ? model : server.modelUri;
      const workspace = mkdtempSync(path.join(os.tmpdir(), `clade-${where}-`));
      const run = await runCli(["run", "--suite", "builtin", "--task", "t0-subtract-order", "--model", uri, "--threads", "1", "--max-turns", "2", "--workspace", workspace, "--json"], { timeoutMs: 170_000 });
      expect(run.code, run.stderr).toBe(0);
      const result = parseJson<RunResult>(run);
      expect(result.llmCalls).toBeGreaterThanOrEqual(1);
      expect(result.usage.completionTokens).toBeGreaterThan(0);
      expect(result.stopReason, JSON.stringify(result.error)).not.toMatch(/harness-error|model-error/);
      const evolve = await runCli(["evolve", "--workspace", workspace, "--model", uri, "--threads", "1", "--strategy", "greedy", "--budget-evals", "3", "--budget-expansions", "2", "--max-turns", "2", "--gate-tasks", "0", "--json"], { timeoutMs: 170_000 });
      expect(evolve.code, evolve.stderr).toBe(0);
      const summary = parseJson<EvolveResult>(evolve);
      expect(summary.evaluationsDone).toBeGreaterThanOrEqual(1);
      expect(summary.tokens).toBeGreaterThan(0);
    });
  }
});

describe("inference-server failures", () => {
  it("an unreachable server fails at once, naming it and what to start", async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await RemoteModel.connect({ model: `openai:http://127.0.0.1:${port}/v1#m` }).catch((e: unknown) => e);
    expect(CladeError.is(error, "server-unreachable"), String(error)).toBe(true);
    expect((error as CladeError).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}/v1 cannot be reached: nothing listens there`));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a prompt larger than the slot is context-overflow (the agent shortens its prompt on that reason)", async () => {
    const remote = await RemoteModel.connect({ model: server.modelUri });
    const error = await remote.chat({ messages: [{ role: "user", content: "lorem ipsum dolor ".repeat(3000) }], maxTokens: 8 }).catch((e: unknown) => e);
    expect(CladeError.is(error, "context-overflow"), String(error)).toBe(true);
    expect((error as CladeError).fix).toMatch(/llama-server -c/);
  });

  it("a request past its timeout is server-timeout", async () => {
    const remote = await RemoteModel.connect({ model: server.modelUri }, { requestTimeoutMs: 1 });
    const error = await remote.chat({ messages: [{ role: "user", content: "Write a long story." }], maxTokens: 400 }).catch((e: unknown) => e);
    expect(CladeError.is(error, "server-timeout"), String(error)).toBe(true);
  });

  it("a server that needs an API key: refused without it (saying how to set it), served with it", async () => {
    const keyed = await startLlamaServer({ model, apiKey: "sk-clade-test", alias: "keyed" });
    try {
      const error = await RemoteModel.connect({ model: keyed.modelUri }).catch((e: unknown) => e);
      expect(CladeError.is(error, "server-error"), String(error)).toBe(true);
      expect((error as CladeError).fix).toMatch(/CLADE_API_KEY/);
      const h = await host(keyed.modelUri, "sk-clade-test");
      expect((await h.chat(required(3))).toolCalls).toHaveLength(1);
    } finally {
      await keyed.stop();
    }
  });

  it("a server restarted mid-session is waited for and the request sent again; one that stays down is server-unreachable", async () => {
    const restarting = await startLlamaServer({ model, alias: "restart" });
    const remote = await RemoteModel.connect({ model: restarting.modelUri }, { restartGraceMs: 30_000 });
    expect((await remote.chat(required(1))).toolCalls).toHaveLength(1);
    await restarting.kill();
    // The next request finds it gone; the server comes back on the same port 2 s later.
    const pending = remote.chat(required(2));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const back = await startLlamaServer({ model, alias: "restart", port: restarting.port });
    let short: RemoteModel;
    try {
      expect((await pending).toolCalls).toHaveLength(1);
      short = await RemoteModel.connect({ model: back.modelUri }, { restartGraceMs: 1500 });
    } finally {
      await back.kill();
    }
    const gone = await short.chat(required(4)).catch((e: unknown) => e);
    expect(CladeError.is(gone, "server-unreachable"), String(gone)).toBe(true);
    expect((gone as CladeError).message).toMatch(/went away during a request and was not back within 2 s/);
  });
});
