// archive.jsonl: a torn last line is reported and ignored (and moved aside before the next append),
// a garbage line in the middle is reported and skipped, events that do not fit are rejected, and
// nothing valid is lost.
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Archive, parseEventLine, stampEvent, type NewArchiveEvent } from "../../extension/engine/archive";
import { CladeError } from "../../extension/protocol/errors";
import { CONFIG, removeTempDirs, run, seededArchive, tempDir } from "./archiveFixtures";

afterAll(removeTempDirs);

const logOf = (workspace: string) => path.join(workspace, ".clade", "archive.jsonl");

/** A seeded archive with two finished evaluations, closed; returns its log lines. */
async function archiveWithResults(): Promise<{ workspace: string; lines: string[] }> {
  const { archive, workspace } = await seededArchive();
  await archive.recordEvaluationStarted("n0", "t-add", "r1");
  await archive.recordEvaluationFinished("n0", run("r1", "t-add", true));
  await archive.recordEvaluationFinished("n0", run("r2", "t-sub", false));
  await archive.dispose();
  const lines = (await fs.readFile(logOf(workspace), "utf8")).split("\n");
  expect(lines.pop()).toBe(""); // every line ends with a newline
  return { workspace, lines };
}

describe("archive.jsonl", () => {
  it("writes one versioned, timestamped event per line", async () => {
    const { lines } = await archiveWithResults();
    const types = lines.map((line) => JSON.parse(line) as { type: string; v: number; at: string });
    expect(types.map((e) => e.type)).toEqual(["archive-created", "session-started", "node-created", "evaluation-started", "evaluation-finished", "evaluation-finished"]);
    for (const event of types) {
      expect(event.v).toBe(1);
      expect(Number.isNaN(Date.parse(event.at))).toBe(false);
    }
  });

  it("reports a torn last line, ignores it, keeps every valid event, and moves it aside before appending", async () => {
    const { workspace, lines } = await archiveWithResults();
    const torn = JSON.stringify(stampEvent({ type: "evaluation-started", nodeId: "n0", taskId: "t-mul", runId: "r3" })).slice(0, 40);
    await fs.appendFile(logOf(workspace), torn);
    const archive = await Archive.open(workspace);
    expect(archive.problems).toHaveLength(1);
    expect(archive.problems[0]).toMatchObject({ code: "torn-line", line: lines.length + 1, severity: "warning" });
    expect(archive.problems[0].message).toContain("archive.jsonl.torn-");
    expect(archive.results("n0").map((r) => r.runId)).toEqual(["r1", "r2"]);
    expect(archive.inFlightEvaluations()).toEqual([]);
    // The torn bytes were cut off (kept in a side file): the next append starts on a fresh line.
    await archive.recordEvaluationStarted("n0", "t-mul", "r3");
    await archive.dispose();
    const text = await fs.readFile(logOf(workspace), "utf8");
    expect(text.split("\n").filter(Boolean).map((line) => parseEventLine(line).ok)).toEqual(new Array(lines.length + 1).fill(true));
    const sideFiles = (await fs.readdir(path.join(workspace, ".clade"))).filter((f) => f.startsWith("archive.jsonl.torn-"));
    expect(sideFiles).toHaveLength(1);
    expect(await fs.readFile(path.join(workspace, ".clade", sideFiles[0]), "utf8")).toBe(torn);
    const reopened = await Archive.open(workspace, { readOnly: true });
    expect(reopened.problems).toEqual([]);
    expect(reopened.inFlightEvaluations().map((r) => r.runId)).toEqual(["r3"]);
    await reopened.dispose();
  });

  it("reports and skips a garbage line in the middle, and loads everything around it", async () => {
    const { workspace, lines } = await archiveWithResults();
    const broken = [...lines.slice(0, 4), "{not json at all", '{"v":1,"at":"x","type":"no-such-event"}', ...lines.slice(4)];
    await fs.writeFile(logOf(workspace), broken.join("\n") + "\n");
    const archive = await Archive.open(workspace, { readOnly: true });
    expect(archive.problems.map((p) => [p.code, p.line, p.severity])).toEqual([
      ["bad-line", 5, "error"],
      ["bad-line", 6, "error"],
    ]);
    expect(archive.results("n0").map((r) => [r.runId, r.passed])).toEqual([["r1", true], ["r2", false]]);
    expect(archive.session()?.config).toEqual(CONFIG);
    await archive.dispose();
  });

  it("rejects events that do not fit the replayed state (duplicate ids, unknown nodes, double finishes)", async () => {
    const { workspace, lines } = await archiveWithResults();
    const extra: NewArchiveEvent[] = [
      JSON.parse(lines[2]) as NewArchiveEvent, // node n0 again
      { type: "evaluation-finished", nodeId: "n0", taskId: "t-add", runId: "r1", passed: true, tokens: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 }, wallMs: 1, modelMs: 1, turns: 1, stopReason: "finished", trajectory: "" },
      { type: "evaluation-started", nodeId: "n7", taskId: "t-add", runId: "r9" },
      { type: "node-reverted", nodeId: "n0", restored: null },
    ];
    await fs.appendFile(logOf(workspace), extra.map((e) => JSON.stringify(stampEvent(e))).join("\n") + "\n");
    const archive = await Archive.open(workspace, { readOnly: true });
    expect(archive.problems.map((p) => [p.code, p.line])).toEqual(extra.map((_, i) => ["rejected-event", lines.length + 1 + i]));
    expect(archive.problems[0].message).toContain("node n0 already exists");
    expect(archive.problems[1].message).toContain("run r1 already ended");
    expect(archive.nodes()).toHaveLength(1);
    expect(archive.totals("n0")).toMatchObject({ evaluations: 2, passed: 1, failed: 1 });
    expect(archive.activeNode()).toBeNull();
    await archive.dispose();
  });

  it("accepts a valid last line without its newline and starts the next append on a new line", async () => {
    const { workspace, lines } = await archiveWithResults();
    await fs.writeFile(logOf(workspace), lines.join("\n")); // no final newline
    const archive = await Archive.open(workspace);
    expect(archive.problems).toEqual([]);
    expect(archive.results("n0")).toHaveLength(2);
    await archive.recordEvaluationStarted("n0", "t-mul", "r3");
    await archive.dispose();
    const again = await Archive.open(workspace, { readOnly: true });
    expect(again.problems).toEqual([]);
    expect(again.inFlightEvaluations()).toHaveLength(1);
    await again.dispose();
  });

  it("reads an archive from a newer Clade read-only, and refuses to write to it", async () => {
    const { workspace } = await archiveWithResults();
    await fs.appendFile(logOf(workspace), JSON.stringify({ v: 99, at: new Date().toISOString(), type: "future-thing" }) + "\n");
    const reader = await Archive.open(workspace, { readOnly: true });
    expect(reader.problems.map((p) => p.code)).toEqual(["newer-version"]);
    expect(reader.results("n0")).toHaveLength(2);
    await expect(reader.accept("n0")).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    await reader.dispose();
    await expect(Archive.open(workspace)).rejects.toSatisfy((e) => CladeError.is(e, "archive-corrupt"));
  });

  it("says how to start when the workspace has no archive", async () => {
    const error = await Archive.open(await tempDir()).catch((e: unknown) => e);
    expect(CladeError.is(error, "archive-missing")).toBe(true);
    expect((error as CladeError).fix).toContain("clade evolve");
  });
});
