// The `archive` benchmark on a small synthetic archive: it replays without problems, selects, appends,
// and reports BENCH.md's shape. (`clade bench archive` runs it at 10,000 nodes.)
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Archive, writeSyntheticLog } from "../../extension/engine/archive";
import { benchArchive } from "../../extension/engine/bench/benchArchive";
import { removeTempDirs, tempDir } from "./archiveFixtures";

afterAll(removeTempDirs);

describe("archive benchmark", () => {
  it("writes a synthetic log that replays cleanly, ~5 evaluations per node", async () => {
    const workspace = await tempDir();
    await fs.mkdir(path.join(workspace, ".clade"));
    const info = await writeSyntheticLog(path.join(workspace, ".clade", "archive.jsonl"), { nodes: 2000, seed: 3 });
    const archive = await Archive.open(workspace, { readOnly: true });
    expect(archive.problems).toEqual([]);
    expect(archive.nodes()).toHaveLength(2000);
    expect(archive.usage().evaluations).toBe(info.evaluations);
    expect(info.evaluations / info.nodes).toBeGreaterThan(4.5);
    expect(info.evaluations / info.nodes).toBeLessThan(5.5);
    const invalid = archive.nodes().filter((n) => n.status === "invalid").length;
    expect(invalid / 2000).toBeGreaterThan(0.1);
    expect(archive.nodes().every((n, i) => n.id === `n${i}` && (n.parentId === null || Number(n.parentId.slice(1)) < i))).toBe(true);
    expect(Number(archive.activeNode()?.id.slice(1))).toBeGreaterThanOrEqual(999); // a working node is accepted every ~1000
    await archive.dispose();
  });

  it("reports replay, selection and append times with sizes", async () => {
    const reports = await benchArchive({ nodes: 500, repetitions: 3 });
    expect(reports.map((r) => r.name)).toEqual(["archive-replay", "archive-selection", "archive-append"]);
    for (const report of reports) {
      expect(report.measured).toBeGreaterThan(0);
      expect(report.inputs).toMatchObject({ nodes: 500 });
      expect(report.inputs.logBytes).toBeGreaterThan(100_000);
    }
    expect(reports[0].details?.samplesMs).toHaveLength(3);
    console.log(reports.map((r) => `${r.name} ${r.measured} ${r.unit}`).join(" · "));
  });
});
