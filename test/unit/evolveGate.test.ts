// The validation gate's task stage (evolve/validate.ts) without building or running anything: the
// build, the scaffold's unit tests and the agent runs are stubbed, so each case sees exactly which
// runs the gate makes (candidate and parent), with which limits, and how it decides. Also the gate
// task choice and the gate log (evolve/gateLog.ts) that makes gate runs count across resumes.
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RunTaskOptions } from "../../extension/engine/agent/runTask";
import { GateLog } from "../../extension/engine/evolve/gateLog";
import { chooseGateTasks, validateChild, type GateOptions } from "../../extension/engine/evolve/validate";
import type { Task, TaskTier } from "../../extension/engine/tasks/types";
import type { RunResult } from "../../extension/protocol/run";

vi.mock("../../extension/engine/agent/buildAgent", () => ({ buildAgent: vi.fn(async () => ({ ok: true, bundle: "/builds/candidate.mjs" })) }));
vi.mock("../../extension/engine/agent/scaffoldTests", () => ({ runScaffoldTests: vi.fn(async () => ({ passed: true, files: 1, output: "", durationMs: 0 })) }));
const runs = vi.hoisted(() => ({ calls: [] as RunTaskOptions[], passes: new Map<string, boolean>() }));
vi.mock("../../extension/engine/agent/runTask", () => ({
  runTask: vi.fn(async (options: RunTaskOptions) => {
    runs.calls.push(options);
    return run(options.versionId, options.task.id, runs.passes.get(`${options.versionId}/${options.task.id}`) ?? false);
  }),
}));

function run(versionId: string, taskId: string, passed: boolean): RunResult {
  return {
    runId: `${versionId}-${taskId}`, taskId, suite: "test", versionId, passed, stopReason: "finished", turns: 1,
    usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 5 }, llmCalls: 1, modelMs: 1, wallMs: 2, test: null, trajectory: `/runs/${versionId}/${taskId}.jsonl`,
  };
}

function task(id: string, tier?: TaskTier): Task {
  return { id, tier, suite: "test", title: id, instructions: id, language: "javascript", testCommand: "true", timeoutMs: 1000, allowCommands: [], hiddenTestPaths: [], hasReference: false } as unknown as Task;
}

const tasks = [task("t1", "T0"), task("t2", "T0"), task("t3", "T0")];
const limits = { maxTurns: 3, timeoutMs: 4321 };

function options(parentRecorded: Record<string, boolean>, extra: Partial<GateOptions> = {}): GateOptions {
  return {
    scaffoldDir: "/scaffold", versionId: "candidate-x1", buildCacheDir: "/builds", runsDir: "/runs", provider: { chat: vi.fn() } as unknown as GateOptions["provider"],
    tasks, parent: { id: "n0", bundle: "/builds/parent.mjs", recorded: (id) => parentRecorded[id] }, limits, ...extra,
  };
}

/** Which version passes which task, e.g. pass("candidate-x1", "t1", "t2"). */
function pass(versionId: string, ...taskIds: string[]): void {
  for (const id of taskIds) runs.passes.set(`${versionId}/${id}`, true);
}

beforeEach(() => {
  runs.calls.length = 0;
  runs.passes.clear();
});

describe("the gate's task stage: not worse than the parent", () => {
  it("runs the candidate and its parent with the session's limits", async () => {
    pass("candidate-x1", "t1", "t2");
    pass("n0", "t1");
    const gate = await validateChild(options({}));
    // Unknown parent results: the parent is run, until its result cannot change the verdict.
    expect(runs.calls.map((c) => `${c.versionId} ${c.task.id}`)).toEqual(["candidate-x1 t1", "candidate-x1 t2", "candidate-x1 t3", "n0 t1", "n0 t2"]);
    for (const call of runs.calls) expect(call.limits).toEqual(limits);
    expect(runs.calls.filter((c) => c.versionId === "n0").every((c) => c.bundle === "/builds/parent.mjs")).toBe(true);
    expect(gate).toMatchObject({ ok: true, record: { candidatePassed: 2, parentPassed: 1, tasks: ["t1", "t2", "t3"] } });
  });

  it("passes a candidate that fails as many gate tasks as its parent did (the old gate wanted all of them)", async () => {
    pass("candidate-x1", "t2");
    const gate = await validateChild(options({ t1: false, t2: true, t3: false }));
    expect(gate).toMatchObject({ ok: true, record: { candidatePassed: 1, parentPassed: 1 } });
    expect(runs.calls.every((c) => c.versionId === "candidate-x1")).toBe(true); // recorded results: no parent run
  });

  it("rejects a candidate worse than its parent's recorded results, saying so", async () => {
    pass("candidate-x1", "t1");
    const gate = await validateChild(options({ t1: true, t2: true }));
    expect(gate).toMatchObject({ ok: false, stage: "tasks", record: { candidatePassed: 1, parentPassed: 2 } });
    expect(!gate.ok && gate.reason).toMatch(/passed 1 of 3 gate tasks .*parent n0 passed 2 .*worse than its parent/);
    expect(runs.calls).toHaveLength(3); // the parent's 2 recorded passes settle it: t3 is not run
  });

  it("does not consult the parent when the candidate passed every gate task", async () => {
    pass("candidate-x1", "t1", "t2", "t3");
    const recorded = vi.fn(() => undefined);
    const gate = await validateChild({ ...options({}), parent: { id: "n0", bundle: "/p.mjs", recorded } });
    expect(gate).toMatchObject({ ok: true, record: { candidatePassed: 3, parentPassed: null } });
    expect(recorded).not.toHaveBeenCalled();
    expect(runs.calls).toHaveLength(3);
  });

  it("never passes a silent 0 of 0: with no gate task the record says that none ran, and why", async () => {
    const gate = await validateChild(options({}, { tasks: [], noTasksReason: "gateTasks is 0" }));
    expect(gate).toMatchObject({ ok: true, record: { tasks: [], candidatePassed: null, parentPassed: null } });
    expect(gate.ok && gate.record.summary).toBe("no gate task ran (gateTasks is 0): gated on build, type-check and unit tests only");
    expect(runs.calls).toHaveLength(0);
  });

  it("hands every run to onRun (the session counts and records them)", async () => {
    pass("candidate-x1", "t1");
    const seen: string[] = [];
    await validateChild(options({}, { onRun: (role, result) => void seen.push(`${role} ${result.taskId}`) }));
    expect(seen).toEqual(["candidate t1", "candidate t2", "candidate t3", "parent t1", "parent t2"]);
  });
});

describe("gate tasks", () => {
  const order = [task("a"), task("z0", "T0"), task("b", "T1"), task("y0", "T0"), task("c"), task("x0", "T0"), task("w0", "T0")];

  it("takes the suite's T0 tasks first, in the session's order", () => {
    expect(chooseGateTasks(order, 3).map((t) => t.id)).toEqual(["z0", "y0", "x0"]);
  });

  it("uses the suite's own tasks when it has too few T0 tasks or none (repo, Polyglot, untiered yaml)", () => {
    const untiered = [task("a"), task("b"), task("c"), task("d"), task("e")];
    expect(chooseGateTasks(untiered, 3).map((t) => t.id)).toEqual(["e", "d", "c"]); // evaluated last in the session's order
    expect(chooseGateTasks(order, 5).map((t) => t.id)).toEqual(["z0", "y0", "x0", "w0", "c"]);
    expect(chooseGateTasks(untiered, 0)).toEqual([]);
  });
});

describe("the gate log", () => {
  it("counts gate runs across reopening and gives a node its gate results (as candidate or compared parent)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clade-gate-log-"));
    const log = await GateLog.open(dir);
    expect(log.runs).toBe(0);
    await log.recordRun("x1", "candidate", run("candidate-x1", "t1", true));
    await log.recordRun("x1", "candidate", run("candidate-x1", "t2", false));
    await log.recordRun("x1", "parent", run("n0", "t2", true));
    await log.recordVerdict({ expansionId: "x1", parentId: "n0", nodeId: "n1", ok: true, stage: null, tasks: ["t1", "t2"], candidatePassed: 1, parentPassed: 1, summary: "s" });
    await log.recordRun("x2", "candidate", run("candidate-x2", "t1", true)); // its verdict never written (a crash)
    expect(log.runs).toBe(4);
    expect([log.result("n1", "t1"), log.result("n1", "t2"), log.result("n0", "t2"), log.result("n0", "t1")]).toEqual([true, false, true, undefined]);
    appendFileSync(log.file, '{"type":"run","expansionId":"x3"'); // a line cut short
    const again = await GateLog.open(dir);
    expect(again.runs).toBe(4);
    expect([again.result("n1", "t1"), again.result("n1", "t2"), again.result("n0", "t2")]).toEqual([true, false, true]);
    // The next line starts on a line of its own, not glued to the cut one.
    await again.recordRun("x4", "candidate", run("candidate-x4", "t1", true));
    expect((await GateLog.open(dir)).runs).toBe(5);
    expect(readFileSync(log.file, "utf8").split("\n").filter(Boolean)).toHaveLength(7);
  });
});
