// The agent-capable TEST model (train/agentModel/): trained on reference runs of the built-in T0
// tasks, it must SOLVE them through the real engine — `clade run` as a user runs it: real llama.cpp,
// the real Qwen chat template and its native <tool_call> syntax under the tool grammar, the seed
// agent in its confined process, the sandbox and the hidden tests. No scripted provider here.
// It has seen these tasks, so this proves the machinery (rendering, grammar, budgets, the training
// renderer, the runner), not that a model got smarter.
// The first build on a machine takes minutes (training on 2 cores); later ones come from the cache
// (~/.cache/clade/agent-model or $CLADE_CACHE_DIR).
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../extension/protocol/run";
import { agentModelTasks, type AgentModelResult } from "../../extension/engine/train/agentModel/agentModel";
import { parseJson, runCli } from "../helpers/cli";

const dir = mkdtempSync(path.join(os.tmpdir(), "clade-agent-model-"));
const modelFile = path.join(dir, "agent.gguf");
const BUILD_MS = 40 * 60_000;

describe("the agent-capable test model", () => {
  let built: AgentModelResult & { seconds: number };

  beforeAll(async () => {
    const result = await runCli(["model", "test-model", "--preset", "agent", "--out", modelFile, "--threads", "2", "--json"], { timeoutMs: BUILD_MS });
    expect(result.code, result.stderr).toBe(0);
    built = parseJson(result);
  }, BUILD_MS);

  it("is built from the reference runs of every T0 task, to a low loss on the agent's tokens", async () => {
    const tasks = (await agentModelTasks()).map((t) => t.id).sort();
    expect(built.build.tasks.sort()).toEqual(tasks);
    expect(built.build.dataset.examples).toBe(tasks.length);
    expect(built.build.trainer.finalLoss).toBeLessThan(0.1);
    const losses = built.build.trainer.losses.map((l) => l.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 10);
  });

  it("a second build comes from the cache, byte for byte", async () => {
    const again = parseJson<AgentModelResult & { seconds: number }>(await runCli(["model", "test-model", "--preset", "agent", "--out", path.join(dir, "again.gguf"), "--json"], { timeoutMs: 300_000 }));
    expect(again.cached).toBe(true);
    expect(again.sha256).toBe(built.sha256);
    expect(again.key).toBe(built.key);
  }, 300_000);

  it("solves at least 8 of the 10 T0 tasks through `clade run` at temperature 0, with calls in Qwen's <tool_call> syntax", async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-agent-runs-"));
    const results: RunResult[] = [];
    for (const task of await agentModelTasks()) {
      const run = await runCli(["run", "--suite", "builtin", "--task", task.id, "--model", modelFile, "--temperature", "0", "--threads", "2", "--workspace", workspace, "--json"], { timeoutMs: 300_000 });
      expect(run.code, run.stderr).toBe(0);
      results.push(parseJson<RunResult>(run));
    }
    const passed = results.filter((r) => r.passed);
    console.log(`agent test model: ${passed.length}/${results.length} T0 tasks passed (${results.map((r) => `${r.taskId} ${r.passed ? "pass" : `fail:${r.stopReason}`}`).join(", ")})`);
    expect(passed.length).toBeGreaterThanOrEqual(8);
    for (const run of passed) {
      const records = readFileSync(run.trajectory, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { type: string; result?: { text: string; toolCalls: { name: string }[] } });
      const calls = records.filter((r) => r.type === "llm" && r.result);
      expect(calls.length).toBeGreaterThanOrEqual(2);
      // Every reply was one grammar-constrained call written the way Qwen models write them.
      for (const call of calls) expect(call.result!.text).toMatch(/^<tool_call>\n\{"name": "\w+", "arguments": [\s\S]*\}\n<\/tool_call>$/);
      expect(calls.some((c) => c.result!.toolCalls[0]?.name === "edit_file")).toBe(true);
    }
  }, 30 * 60_000);
});
