// The archive's state: accept / revert / undo, evaluations and totals, the search view, expansions
// in flight, replay equal to the live state, sequential ids across reopen, one writer at a time.
import { afterAll, describe, expect, it } from "vitest";
import { Archive, type ArchiveReader } from "../../extension/engine/archive";
import { ArchiveIndex, createRng, createStrategy } from "../../extension/engine/search";
import { CladeError } from "../../extension/protocol/errors";
import { CONFIG, editOrigin, removeTempDirs, run, seedCopy, seededArchive, TASKS } from "./archiveFixtures";

afterAll(removeTempDirs);

/** Everything a replay must reproduce. */
function snapshot(archive: ArchiveReader): unknown {
  return {
    nodes: archive.nodes(),
    sessions: archive.sessions(),
    active: archive.activeNode()?.id ?? null,
    last: archive.lastActivation(),
    results: archive.nodes().map((n) => archive.results(n.id)),
    totals: archive.nodes().map((n) => archive.totals(n.id)),
    untested: archive.nodes().map((n) => archive.untestedTasks(n.id)),
    view: archive.searchView().nodes(),
    budget: archive.searchBudget(),
    usage: archive.usage(),
    inFlight: [archive.inFlightEvaluations(), archive.inFlightExpansions()],
  };
}

async function threeNodes(): Promise<Archive> {
  const { archive } = await seededArchive();
  await archive.addNode("n0", await seedCopy({ "src/a.ts": "export const a = 1;\n" }), { origin: editOrigin("t-add") });
  await archive.addNode("n1", await seedCopy({ "src/a.ts": "export const a = 2;\n" }), { origin: editOrigin("t-sub") });
  return archive;
}

describe("archive state", () => {
  it("accepts and reverts versions, each undoable, recording the previously active node", async () => {
    const archive = await threeNodes();
    expect(archive.activeNode()).toBeNull();
    expect(await archive.accept("n1")).toBeNull();
    expect(await archive.accept("n2")).toBe("n1");
    expect(archive.activeNode()?.id).toBe("n2");
    expect(await archive.revert("n2")).toBe("n1"); // back to the version active before n2
    expect(archive.activeNode()?.id).toBe("n1");
    expect(await archive.undo()).toBe("n2"); // undo the revert: n2 again
    expect(await archive.undo()).toBe("n1"); // undo that: n2 reverted again
    await expect(archive.revert("n2")).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument")); // n2 is not active
    expect(await archive.revert("n1")).toBeNull();
    expect(archive.activeNode()).toBeNull();
    expect(await archive.undo()).toBe("n1");
    const reopened = await Archive.open(archive.paths.workspace, { readOnly: true });
    expect(reopened.activeNode()?.id).toBe("n1");
    expect(reopened.lastActivation()).toEqual({ kind: "accept", nodeId: "n1" });
    await reopened.dispose();
    await archive.dispose();
  });

  it("counts results, tokens and wall time per node, and the search view matches them", async () => {
    const archive = await threeNodes();
    const expected = [
      ["n0", "t-add", true], ["n0", "t-sub", false], ["n0", "t-mul", true],
      ["n1", "t-add", true], ["n1", "t-add", false], ["n2", "t-div", false],
    ] as const;
    let i = 0;
    for (const [node, task, passed] of expected) {
      const runId = `r${i++}`;
      await archive.recordEvaluationStarted(node, task, runId);
      await archive.recordEvaluationFinished(node, run(runId, task, passed, 100 * i, 10 * i));
    }
    await archive.recordEvaluationStarted("n2", "t-add", "running-1");
    const x = await archive.recordExpansionStarted("n1");
    expect(x).toBe("x0");
    const view = Object.fromEntries(archive.searchView().nodes().map((n) => [n.id, n]));
    for (const node of ["n0", "n1", "n2"]) {
      const mine = expected.filter(([n]) => n === node);
      expect(view[node].successes).toBe(mine.filter(([, , p]) => p).length);
      expect(view[node].failures).toBe(mine.filter(([, , p]) => !p).length);
      expect(archive.totals(node).evaluations).toBe(mine.length);
    }
    expect(view.n0).toMatchObject({ status: "evaluated", untestedTasks: 1, evaluationsInFlight: 0, expansionsInFlight: 0 });
    expect(view.n1).toMatchObject({ status: "evaluated", untestedTasks: 3, expansionsInFlight: 1 }); // t-add twice
    expect(view.n2).toMatchObject({ status: "evaluated", untestedTasks: 2, evaluationsInFlight: 1 });
    expect(archive.untestedTasks("n2")).toEqual(["t-sub", "t-mul"]);
    expect(archive.totals("n1")).toMatchObject({ tokens: { promptTokens: 400 + 500, cachedPromptTokens: 450, completionTokens: 90 }, wallMs: 90, modelMs: 45 });
    expect([...archive.resultsByTask("n1").keys()]).toEqual(["t-add"]);
    expect(archive.searchBudget()).toEqual({ total: CONFIG.budgets.evaluations, used: 6 });
    // ArchiveIndex pools clade statistics from the view: n0's clade holds all six results.
    const index = new ArchiveIndex().update(archive.searchView());
    expect([index.cladeSuccesses[0], index.cladeFailures[0]]).toEqual([3, 3]);
    expect(index.evaluationsInFlight).toBe(1);
    expect(index.expansionsInFlight).toBe(1);
    const action = createStrategy("hgm").next(archive.searchView(), archive.searchBudget(), createRng(1));
    expect(["expand", "evaluate"]).toContain(action.kind);
    await archive.dispose();
  });

  it("gives strategies snapshots: a view taken earlier does not change, and strategies cannot change records", async () => {
    const { archive } = await seededArchive();
    const before = archive.searchView().nodes();
    await archive.recordEvaluationFinished("n0", run("r1", "t-add", true));
    expect(before[0]).toMatchObject({ status: "pending", successes: 0, untestedTasks: TASKS.length });
    const after = archive.searchView().nodes();
    expect(after[0]).toMatchObject({ status: "evaluated", successes: 1, untestedTasks: TASKS.length - 1 });
    expect(Object.isFrozen(after[0])).toBe(true);
    expect(archive.requireNode("n0").status).toBe("evaluated");
    await archive.dispose();
  });

  it("replays to exactly the live state, and keeps ids sequential and unique across reopen", async () => {
    const archive = await threeNodes();
    await archive.recordEvaluationStarted("n1", "t-add", "a");
    await archive.recordEvaluationFinished("n1", run("a", "t-add", true));
    await archive.recordEvaluationStarted("n2", "t-sub", "b"); // left running
    await archive.recordEvaluationFinished("n2", run("c", "t-mul", false)); // no recorded start
    await archive.setStatus("n2", "invalid", "loses editing ability");
    const expansion = await archive.recordExpansionStarted("n1");
    await archive.recordSpend("diagnosis", "n1", { tokens: { promptTokens: 5, cachedPromptTokens: 0, completionTokens: 5 }, wallMs: 7 });
    await archive.accept("n1");
    const reader = await Archive.open(archive.paths.workspace, { readOnly: true });
    expect(snapshot(reader)).toEqual(snapshot(archive));
    expect(reader.searchView().nodes().find((n) => n.id === "n2")).toMatchObject({ status: "invalid", untestedTasks: 0 });
    await reader.dispose();
    await archive.dispose();

    const resumed = await Archive.open(archive.paths.workspace);
    await resumed.startSession(CONFIG, { resumes: "s0" });
    expect(resumed.session()?.id).toBe("s1");
    expect(resumed.inFlightExpansions().map((x) => x.expansionId)).toEqual([expansion]);
    const child = await resumed.addNode("n1", await seedCopy(), { origin: editOrigin("t-div"), expansionId: expansion });
    expect(child.id).toBe("n3");
    expect(child.expansionId).toBe(expansion);
    expect(resumed.inFlightExpansions()).toEqual([]);
    expect(await resumed.recordExpansionStarted("n0")).toBe("x1");
    expect(new Set(resumed.nodes().map((n) => n.id)).size).toBe(resumed.nodes().length);
    await resumed.dispose();
  });

  it("abandons the work a killed process left running: tasks become untested again", async () => {
    const archive = await threeNodes();
    await archive.recordEvaluationStarted("n1", "t-add", "r1");
    await archive.recordEvaluationStarted("n1", "t-sub", "r2");
    await archive.recordEvaluationFinished("n1", run("r2", "t-sub", true));
    await archive.recordExpansionStarted("n2");
    await archive.dispose();
    const resumed = await Archive.open(archive.paths.workspace);
    expect(resumed.searchView().nodes()[1]).toMatchObject({ evaluationsInFlight: 1, untestedTasks: 2 });
    expect(await resumed.abandonInFlight("engine restarted")).toEqual({ evaluations: 1, expansions: 1 });
    expect(resumed.searchView().nodes()[1]).toMatchObject({ evaluationsInFlight: 0, untestedTasks: 3 });
    expect(resumed.searchView().nodes()[2]).toMatchObject({ expansionsInFlight: 0 });
    await expect(resumed.recordEvaluationFinished("n1", run("r1", "t-add", true))).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    await resumed.dispose();
  });

  it("gives distinct sequential ids to concurrent writers in one process", async () => {
    const { archive } = await seededArchive();
    const dirs = await Promise.all([1, 2, 3].map((n) => seedCopy({ "src/n.ts": `export const n = ${n};\n` })));
    const [nodes, expansions] = await Promise.all([
      Promise.all(dirs.map((dir) => archive.addNode("n0", dir, { origin: editOrigin("t-add") }))),
      Promise.all([0, 1, 2].map(() => archive.recordExpansionStarted("n0"))),
    ]);
    expect(nodes.map((n) => n.id).sort()).toEqual(["n1", "n2", "n3"]);
    expect(expansions.sort()).toEqual(["x0", "x1", "x2"]);
    expect(await archive.check()).toEqual([]);
    await archive.dispose();
  });

  it("finishes the writes asked for before dispose(), and refuses writes after it", async () => {
    const { archive, workspace } = await seededArchive();
    const pending = [
      archive.addNode("n0", await seedCopy({ "src/late.ts": "export {};\n" }), { origin: editOrigin("t-add") }),
      archive.recordEvaluationStarted("n0", "t-add", "r1"),
      archive.recordEvaluationFinished("n0", run("r1", "t-add", true)),
    ];
    await archive.dispose();
    await Promise.all(pending);
    await expect(archive.accept("n0")).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    await expect(archive.addNode("n0", null, { origin: editOrigin("t-add") })).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    const reopened = await Archive.open(workspace, { readOnly: true });
    expect(reopened.nodes().map((n) => n.id)).toEqual(["n0", "n1"]);
    expect(reopened.totals("n0").passed).toBe(1);
    await reopened.dispose();
  });

  it("allows one writer at a time; readers follow the writer with refresh()", async () => {
    const { archive, workspace } = await seededArchive();
    await expect(Archive.open(workspace)).rejects.toSatisfy((e) => CladeError.is(e, "archive-locked"));
    const reader = await Archive.open(workspace, { readOnly: true });
    const seen: string[] = [];
    reader.onDidChange((event) => seen.push(event.type));
    await archive.recordEvaluationStarted("n0", "t-add", "r1");
    await archive.recordEvaluationFinished("n0", run("r1", "t-add", false));
    expect(await reader.refresh()).toBe(2);
    expect(seen).toEqual(["evaluation-started", "evaluation-finished"]);
    expect(reader.totals("n0").failed).toBe(1);
    await archive.dispose();
    const next = await Archive.open(workspace); // the lock was released
    await next.dispose();
    await reader.dispose();
  });
});
