// Runs of a version outside sessions (Run Active Agent on a Task, Evaluate on Suite, `clade run`):
// kept with the node in the event log, replayed after a reopen, never counted in its score or the
// search budget, refused for an unknown node or a run id recorded twice.
import { afterAll, describe, expect, it } from "vitest";
import { Archive } from "../../extension/engine/archive";
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
