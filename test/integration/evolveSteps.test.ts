// The self-modification steps with a SCRIPTED provider (deterministic): diagnosis → the parent agent
// edits its own scaffold → the validation gate. Real inference runs them in evolveReal.test.ts.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider } from "../../extension/engine/agent/scriptedProvider";
import { diagnose } from "../../extension/engine/evolve/diagnose";
import { implement, SCAFFOLD_TEST_COMMAND } from "../../extension/engine/evolve/implement";
import { validateChild } from "../../extension/engine/evolve/validate";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import type { Diagnosis } from "../../extension/engine/evolve/diagnosis";

const work = mkdtempSync(path.join(os.tmpdir(), "clade-evolve-steps-"));
const buildCacheDir = path.join(work, "builds");
const runsDir = path.join(work, "runs");
let bundle: string;
let failedTrajectory: string;

const diagnosis: Diagnosis = {
  logSummary: "The agent read the file and gave up without editing it.",
  potentialImprovements: ["Tell the agent to always edit before finishing"],
  improvementProposal: "Lower the temperature so the agent follows the workflow.",
  implementationSuggestion: "In src/settings.ts set temperature to 0.1.",
  problemStatement: "The agent finishes without making the change the task asks for.",
};

beforeAll(async () => {
  const build = await buildAgent(seedAgentDir(), { cacheDir: buildCacheDir });
  if (!build.ok) throw new Error(build.message);
  bundle = build.bundle;
  const task = (await openBuiltinSuite().get("t0-subtract-order"))!;
  const run = await runTask({ task, versionId: "seed", bundle, runsDir, provider: new ScriptedProvider([{ toolCall: { name: "finish", arguments: { summary: "nothing" } } }]) });
  expect(run.passed).toBe(false);
  failedTrajectory = run.trajectory;
});

describe("diagnose", () => {
  it("turns the model's propose_improvement call into a Diagnosis, showing it the failed run and the code", async () => {
    const provider = new ScriptedProvider([{ toolCall: { name: "propose_improvement", arguments: diagnosis } }]);
    const result = await diagnose({ provider, scaffoldDir: seedAgentDir(), target: { kind: "failed-task", run: { taskId: "t0-subtract-order", passed: false, stopReason: "finished", changedFiles: false, trajectory: failedTrajectory } } });
    expect(result.diagnosis).toEqual(diagnosis);
    const prompt = provider.calls[0].messages.map((m) => m.content).join("\n");
    expect(prompt).toContain("call finish");
    expect(prompt).toContain("src/loop.ts");
    expect(prompt).toMatch(/not ok|fail/);
    expect(provider.calls[0].toolChoice).toBe("required");
  });

  it("fails clearly when the reply is not a complete proposal", async () => {
    const provider = new ScriptedProvider([{ text: "I think it is fine" }]);
    await expect(diagnose({ provider, scaffoldDir: seedAgentDir(), target: { kind: "failed-task", run: { taskId: "x", passed: false, stopReason: "finished", changedFiles: false, trajectory: failedTrajectory } } })).rejects.toThrow(/not a complete proposal/);
  });
});

describe("implement", () => {
  it("lets the parent agent edit a copy of its own scaffold and run its unit tests", async () => {
    const provider = new ScriptedProvider([
      { toolCall: { name: "edit_file", arguments: { path: "src/settings.ts", search: "temperature: 0.3,", replace: "temperature: 0.1," } } },
      { toolCall: { name: "run_tests", arguments: {} } },
      { toolCall: { name: "finish", arguments: { summary: "lowered temperature" } } },
    ]);
    const result = await implement({ parentScaffoldDir: seedAgentDir(), parentBundle: bundle, diagnosis, provider, trajectoryFile: path.join(work, "edit.jsonl") });
    try {
      expect(result.changed).toBe(true);
      expect(readFileSync(path.join(result.dir, "src", "settings.ts"), "utf8")).toContain("temperature: 0.1,");
      expect(readFileSync(path.join(seedAgentDir(), "src", "settings.ts"), "utf8")).toContain("temperature: 0.3,");
      const records = readFileSync(result.trajectory, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      const exec = records.find((r) => r.type === "exec");
      expect(exec.command).toBe(SCAFFOLD_TEST_COMMAND);
      expect(exec.result.exitCode).toBe(0);
      expect(provider.calls[0].messages[1].content).toContain("Lower the temperature");
    } finally {
      await result.dispose();
    }
    expect(existsSync(result.dir)).toBe(false);
  });

  it("reports an empty diff when the agent changes nothing", async () => {
    const provider = new ScriptedProvider([{ toolCall: { name: "finish", arguments: { summary: "nothing to do" } } }]);
    const result = await implement({ parentScaffoldDir: seedAgentDir(), parentBundle: bundle, diagnosis, provider, trajectoryFile: path.join(work, "empty.jsonl") });
    expect(result.changed).toBe(false);
    await result.dispose();
  });
});

describe("validateChild (the gate)", () => {
  const t0 = async () => [(await openBuiltinSuite().get("t0-subtract-order"))!];
  const solve = () => new ScriptedProvider([
    { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
    { toolCall: { name: "finish", arguments: { summary: "fixed" } } },
  ]);
  const copy = () => {
    const dir = mkdtempSync(path.join(work, "child-"));
    cpSync(seedAgentDir(), dir, { recursive: true });
    return dir;
  };
  const base = { buildCacheDir, runsDir, versionId: "child" };
  /** The parent, with a recorded result on every gate task (true: passed). */
  const parent = (passed: boolean) => ({ id: "n0", bundle, recorded: () => passed });

  it("passes a working child", async () => {
    const gate = await validateChild({ ...base, scaffoldDir: copy(), provider: solve(), tasks: await t0(), parent: parent(true) });
    expect(gate.ok).toBe(true);
  });

  it("rejects a child that does not type-check, at the build stage", async () => {
    const dir = copy();
    writeFileSync(path.join(dir, "src", "loop.ts"), readFileSync(path.join(dir, "src", "loop.ts"), "utf8").replace("const tools = toolsFor(task);", "const tools: number = toolsFor(task);"));
    const gate = await validateChild({ ...base, scaffoldDir: dir, provider: solve(), tasks: await t0(), parent: parent(true) });
    expect(gate).toMatchObject({ ok: false, stage: "build" });
  });

  it("rejects a child whose own unit tests fail", async () => {
    const dir = copy();
    writeFileSync(path.join(dir, "src", "context.ts"), readFileSync(path.join(dir, "src", "context.ts"), "utf8").replace("if (text.length <= max) return { text };", "if (text.length <= max * 100) return { text };"));
    const gate = await validateChild({ ...base, scaffoldDir: dir, provider: solve(), tasks: await t0(), parent: parent(true) });
    expect(gate).toMatchObject({ ok: false, stage: "unit-tests" });
  });

  // The task stage compares with the parent (it used to demand every T0 task; stage "t0").
  it("rejects a child that solves fewer gate tasks than its parent", async () => {
    const gate = await validateChild({ ...base, scaffoldDir: copy(), provider: new ScriptedProvider([{ toolCall: { name: "finish", arguments: { summary: "x" } } }]), tasks: await t0(), parent: parent(true) });
    expect(gate).toMatchObject({ ok: false, stage: "tasks", record: { candidatePassed: 0, parentPassed: 1 } });
  });

  it("passes a child that fails a gate task its parent failed too (not worse than its parent)", async () => {
    const gate = await validateChild({ ...base, scaffoldDir: copy(), provider: new ScriptedProvider([{ toolCall: { name: "finish", arguments: { summary: "x" } } }]), tasks: await t0(), parent: parent(false) });
    expect(gate).toMatchObject({ ok: true, record: { candidatePassed: 0, parentPassed: 0 } });
  });
});
