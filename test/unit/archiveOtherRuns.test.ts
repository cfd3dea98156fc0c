// Runs of a version outside sessions (Run Active Agent on a Task, Evaluate on Suite, `clade run`):
// kept with the node in the event log, replayed after a reopen, never counted in its score or the
// search budget, refused for an unknown node or a run id recorded twice.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Archive } from "../../extension/engine/archive";
import { appendAskRecord } from "../../extension/engine/ask/askLog";
import { passedTrajectories } from "../../extension/engine/train/trainAdapterNode";
import { removeTempDirs, run, seededArchive } from "./archiveFixtures";

afterAll(removeTempDirs);

describe("run-recorded events", () => {
  it("keep a run with its node across a reopen, outside its score and the budget", async () => {
    const { archive, workspace } = await seededArchive();
    await archive.recordEvaluationFinished("n0", run("r1", "t-add", false));
    await archive.recordRun("n0", "polyglot:/ex", run("r2", "two-fer", true));
    expect(archive.totals("n0")).toMatchObject({ evaluations: 1, passed: 0 });
    expect(archive.usage().evaluations).toBe(1);
    await archive.dispose();
    const again = await Archive.open(workspace, { readOnly: true });
    expect(again.problems).toEqual([]);
    expect(again.otherRuns("n0").map((r) => [r.suite, r.taskId, r.runId, r.passed])).toEqual([["polyglot:/ex", "two-fer", "r2", true]]);
    expect(again.totals("n0")).toMatchObject({ evaluations: 1, passed: 0 });
    await again.dispose();
  });

  it("are refused for an unknown node and for a run id already recorded", async () => {
    const { archive } = await seededArchive();
    await expect(archive.recordRun("n9", "builtin", run("r1", "t-add", true))).rejects.toThrow(/node n9 does not exist/);
    await archive.recordRun("n0", "builtin", run("r1", "t-add", true));
    await expect(archive.recordRun("n0", "builtin", run("r1", "t-add", true))).rejects.toThrow(/already recorded/);
    await archive.dispose();
  });
});

describe("training data of a clade", () => {
  it("is its passed evaluations, its passed runs outside sessions, and its asks applied with passing tests", async () => {
    const { archive, workspace } = await seededArchive();
    await archive.recordEvaluationFinished("n0", run("e1", "t-add", true));
    await archive.recordEvaluationFinished("n0", run("e2", "t-sub", false));
    await archive.recordRun("n0", "builtin", run("o1", "t-mul", true));
    await archive.recordRun("n0", "builtin", run("o2", "t-div", false));
    const ask = async (askId: string, testsAfter: boolean, applied: boolean) => {
      const trajectory = path.join(workspace, `${askId}.jsonl`);
      writeFileSync(trajectory, "{}\n");
      const tokens = { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 };
      await appendAskRecord(workspace, { type: "ask", askId, versionId: "seed", instruction: "x", testCommand: "node --test", files: [], head: null, dirty: false, outcome: "proposed", runId: askId, stopReason: "finished", turns: 2, tokens, wallMs: 1, modelMs: 1, testsBefore: false, testsAfter, changedFiles: 1, trajectory });
      if (applied) await appendAskRecord(workspace, { type: "ask-resolved", askId, resolution: "applied" });
      return trajectory;
    };
    const kept = await ask("a1", true, true);
    await ask("a2", false, true);
    await ask("a3", true, false);
    expect(await passedTrajectories(archive, "n0")).toEqual(["/tmp/runs/e1.jsonl", "/tmp/runs/o1.jsonl", kept]);
    await archive.dispose();
  });
});
