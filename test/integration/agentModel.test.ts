// The agent-capable TEST model (train/agentModel/): trained on reference runs of the built-in T0
// tasks, it must SOLVE them through the real engine — `clade run` as a user runs it: real llama.cpp,
// the real Qwen chat template and its native <tool_call> syntax under the tool grammar, the seed
// agent in its confined process, the sandbox and the hidden tests. No scripted provider here.
// It has seen these tasks, so this proves the machinery (rendering, grammar, budgets, the training
// renderer, the runner), not that a model got smarter.
// Then a self-improvement session through the same real inference: the seed gives up on
// t1-request-timeout (its search_code is case-sensitive), the model diagnoses that run, edits its own
// scaffold (search_code ignores case), the child passes the gate, beats the seed on that task and is
// selected; accept / revert / `clade train` on the result (selfEditDemo.ts says what is scripted).
// The first build on a machine takes minutes (training on 2 cores); later ones come from the cache
// (~/.cache/clade/agent-model or $CLADE_CACHE_DIR).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../extension/protocol/run";
import type { ArchiveTree, NodeDiffSummary, NodeSummary, TaskResult } from "../../extension/protocol/archive";
import type { EvolveResult, TrainResult } from "../../extension/protocol/engine";
import { agentModelTasks, LONG_REPLY_TASK, type AgentModelResult } from "../../extension/engine/train/agentModel/agentModel";
import type { AskResult } from "../../extension/protocol/ask";
import { DEMO_SESSION_TASKS, WEAKNESS_TASK } from "../../extension/engine/train/agentModel/selfEditDemo";
import { parseJson, runCli } from "../helpers/cli";

type ShownNode = Omit<NodeSummary, "origin"> & { origin: { kind: string; problemStatement: string | null }; results: TaskResult[] };

const dir = mkdtempSync(path.join(os.tmpdir(), "clade-agent-model-"));
const modelFile = path.join(dir, "agent.gguf");
const BUILD_MS = 40 * 60_000;

/** Builds the model (or takes it from the cache) once for every describe below, whichever runs first. */
let building: Promise<AgentModelResult & { seconds: number }> | undefined;
function agentModel(): Promise<AgentModelResult & { seconds: number }> {
  building ??= runCli(["model", "test-model", "--preset", "agent", "--out", modelFile, "--threads", "2", "--json"], { timeoutMs: BUILD_MS }).then((result) => {
    expect(result.code, result.stderr).toBe(0);
    return parseJson<AgentModelResult & { seconds: number }>(result);
  });
  return building;
}

describe("the agent-capable test model", () => {
  let built: AgentModelResult & { seconds: number };

  beforeAll(async () => {
    built = await agentModel();
  }, BUILD_MS);

  it("is built from the reference runs of every T0 task and of one self-improvement, to a low loss on the agent's tokens", async () => {
    const tasks = [...(await agentModelTasks()).map((t) => `seed/${t.id}`), `seed/${LONG_REPLY_TASK}`];
    const selfImprovement = [`seed/${WEAKNESS_TASK}`, "diagnosis", "self-edit", `child/${WEAKNESS_TASK}`];
    expect(built.build.tasks.sort()).toEqual([...tasks, ...selfImprovement].sort());
    expect(built.build.dataset.examples).toBe(tasks.length + selfImprovement.length);
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

  it("writes a whole file in one reply of more than 512 tokens (a reply budget cut back to 512 fails this)", async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-agent-long-"));
    const run = parseJson<RunResult>(await runCli(["run", "--suite", "builtin", "--task", LONG_REPLY_TASK, "--model", modelFile, "--temperature", "0", "--threads", "2", "--workspace", workspace, "--json"], { timeoutMs: 300_000 }));
    const records = readFileSync(run.trajectory, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { type: string; maxTokens?: number; result?: { stopReason: string; toolCalls: { name: string }[]; usage: { completionTokens: number } } });
    const write = records.find((r) => r.type === "llm" && r.result?.toolCalls[0]?.name === "write_file");
    console.log(`long reply: ${write?.result?.usage.completionTokens} tokens of ${write?.maxTokens} allowed; run ${run.passed ? "passed" : `failed (${run.stopReason})`} in ${run.turns} turns`);
    expect(write?.result?.usage.completionTokens).toBeGreaterThan(512);
    expect(write?.result?.stopReason).toBe("toolCall");
    expect(run.passed).toBe(true);
  }, 300_000);
});

// `clade ask` through real inference: a repository holding a T0 task's starting files, asked in that
// task's words (the model was trained on that prompt; an ask adds nothing to it without --file or
// --test-command), gets the task's fix proposed as a diff, untouched until applied.
describe("an ask with the agent test model", () => {
  it("proposes the fix of a T0-style change in a git repository, and applies it on request", async () => {
    await agentModel();
    const task = (await agentModelTasks()).find((t) => t.id === "t0-default-port")!;
    const repo = mkdtempSync(path.join(os.tmpdir(), "clade-agent-ask-"));
    await task.files.writeStart(repo);
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, encoding: "utf8" });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "start");
    const before = git("ls-files", "-s");
    const started = Date.now();
    const result = await runCli(["ask", task.instructions, "--workspace", repo, "--model", modelFile, "--temperature", "0", "--threads", "2", "--json"], { timeoutMs: 300_000 });
    expect(result.code, result.stderr).toBe(0);
    const ask = parseJson<AskResult>(result);
    console.log(`ask: ${ask.outcome} after ${ask.run.turns} turns, first tool call at ${ask.firstToolCallMs} ms, ${Date.now() - started} ms in all (CLI)`);
    expect(ask.outcome).toBe("proposed");
    expect(ask.changes.map((c) => [c.path, c.kind])).toEqual([["server-config.mjs", "modified"]]);
    expect(git("status", "--porcelain", "--", ".", ":!.clade")).toBe("");
    expect(git("ls-files", "-s")).toBe(before);
    const applied = await runCli(["asks", "apply", ask.askId, "--workspace", repo, "--json"]);
    expect(applied.code, applied.stderr).toBe(0);
    // The applied change passes the task's hidden tests.
    await task.files.writeHiddenTests(repo);
    execFileSync("sh", ["-c", task.testCommand], { cwd: repo, stdio: "pipe" });
  }, 600_000);
});

// One session per strategy on the demo tasks (three T0 tasks and the weakness task), budget 20.
describe.each(["dgm", "hgm", "greedy", "random"] as const)("a %s session with the agent test model", (strategy) => {
  const workspace = mkdtempSync(path.join(os.tmpdir(), `clade-agent-${strategy}-`));
  const cli = (args: string[], timeoutMs = 300_000) => runCli([...args, "--workspace", workspace, "--json"], { timeoutMs });
  let summary: EvolveResult;
  let tree: ArchiveTree;

  beforeAll(async () => {
    await agentModel();
    const result = await cli(["evolve", "--suite", "builtin", "--tasks", DEMO_SESSION_TASKS.join(","), "--model", modelFile, "--threads", "2", "--strategy", strategy, "--budget-evals", "20", "--temperature", "0"], 20 * 60_000);
    expect(result.code, result.stderr).toBe(0);
    summary = parseJson<EvolveResult>(result);
    tree = parseJson<ArchiveTree>(await cli(["archive"]));
    console.log(`[${strategy} session, agent test model] ${JSON.stringify(summary)}; ${tree.nodes.map((n) => `${n.id}<-${n.parentId ?? "-"} ${n.status} ${n.passed}/${n.evaluated}`).join(", ")}`);
  }, BUILD_MS + 20 * 60_000);

  /** Working children of the seed that the session evaluated on the task they were made for, and passed it. */
  async function betterChildren(): Promise<ShownNode[]> {
    const children = tree.nodes.filter((n) => n.parentId === tree.nodes[0].id && n.origin === "self-edit" && n.status !== "invalid" && n.evaluated > 0);
    const shown = await Promise.all(children.map((n) => details(n.id)));
    return shown.filter((child) => child.results.find((r) => r.taskId === WEAKNESS_TASK)?.passed);
  }

  it("grows a self-edited child of the seed that passes its gate and beats the seed on the task it was made for", async () => {
    const seed = await details(tree.nodes[0].id);
    expect(seed.results.find((r) => r.taskId === WEAKNESS_TASK)?.passed).toBe(false);
    const better = await betterChildren();
    expect(better.length, JSON.stringify(tree.nodes)).toBeGreaterThanOrEqual(1);
    for (const child of better) {
      expect(child.targetTask).toBe(WEAKNESS_TASK);
      // The diagnosis and the edit were the model's (through real inference, at temperature 0).
      expect(child.origin.problemStatement).toMatch(/case-sensitive/);
      expect(child.score!).toBeGreaterThan(seed.score!);
      const diff = parseJson<NodeDiffSummary>(await cli(["diff", child.id]));
      expect(diff.files.map((f) => f.path)).toEqual(["src/tools/fileTools.ts"]);
      expect(diff.patch).toMatch(/^\+\s+if \(hits\.length < 100 && line\.toLowerCase\(\)\.includes\(needle\.toLowerCase\(\)\)\)/m);
    }
  });

  if (strategy === "dgm" || strategy === "hgm") {
    it("selects that child, and accept / revert / `clade train` work on it", async () => {
      const better = (await betterChildren()).map((c) => c.id);
      expect(better).toContain(summary.finalPick);
      const child = summary.finalPick!;
      expect(parseJson<{ best: { id: string } | null }>(await cli(["status"])).best?.id).toBe(child);
      expect((await cli(["accept", child])).code).toBe(0);
      expect(parseJson<ArchiveTree>(await cli(["archive"])).active).toBe(child);
      // `clade run` now uses the accepted child: it solves the task the seed gave up on.
      const run = parseJson<RunResult>(await cli(["run", "--suite", "builtin", "--task", WEAKNESS_TASK, "--model", modelFile, "--temperature", "0", "--threads", "2"]));
      expect(run.versionId).toBe(child);
      expect(run.passed).toBe(true);
      // That run is kept with the child in the archive, outside its score.
      const shown = parseJson<{ evaluated: number; results: unknown[]; otherRuns: { runId: string; suite: string; taskId: string; passed: boolean }[] }>(await cli(["show", child]));
      expect(shown.otherRuns.map((r) => [r.runId, r.suite, r.taskId, r.passed])).toEqual([[run.runId, "builtin", WEAKNESS_TASK, true]]);
      expect(shown.evaluated).toBe(shown.results.length);
      const trained = await cli(["train", "--from", child, "--model", modelFile, "--threads", "2", "--epochs", "1", "--eval-tasks", "2"], 15 * 60_000);
      expect(trained.code, trained.stderr).toBe(0);
      const adapter = parseJson<TrainResult>(trained);
      expect(adapter.parentId).toBe(child);
      // Its passed runs (4 evaluations and the `clade run` above) are the data: some train, one held out.
      expect(adapter.training).toMatchObject({ scope: "clade", sourceRuns: expect.any(Number) });
      expect(Number(adapter.training.trainExamples)).toBeGreaterThanOrEqual(1);
      expect(Number(adapter.training.trainExamples) + Number(adapter.training.heldOutExamples)).toBeGreaterThanOrEqual(4);
      expect(Number.isFinite(Number(adapter.training.finalLoss))).toBe(true);
      expect(adapter.evaluation?.evaluated).toBe(2);
      expect(parseJson<{ reverted: string; active: string | null }>(await cli(["revert", child]))).toEqual({ reverted: child, active: null });
    }, 20 * 60_000);
  }

  async function details(id: string): Promise<ShownNode> {
    return parseJson<ShownNode>(await cli(["show", id]));
  }
});
