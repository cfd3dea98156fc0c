// The start-up sweep of temporary folders left by killed engines: old `clade-*` folders and
// sandboxes go, fresh ones, folders with fresh entries, caches and other programs' folders stay.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sweepStaleScratch } from "../../extension/engine/util/staleScratch";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(root: string, name: string, ageHours: number, entries: Record<string, number> = {}): void {
  const full = path.join(root, name);
  mkdirSync(full, { recursive: true });
  for (const [entry, entryAge] of Object.entries(entries)) {
    writeFileSync(path.join(full, entry), "x");
    const t = new Date(Date.now() - entryAge * 3600_000);
    utimesSync(path.join(full, entry), t, t);
  }
  const t = new Date(Date.now() - ageHours * 3600_000);
  utimesSync(full, t, t);
}

describe("sweepStaleScratch", () => {
  it("removes day-old clade-* folders and sandboxes, keeps fresh ones, caches and others' folders", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "sweep-test-"));
    dirs.push(root);
    folder(root, "clade-parent-n3-abc123", 30, { "agent.ts": 30 });
    folder(root, "clade-node-n1-def456", 48);
    folder(root, "clade-run-fresh", 1);
    folder(root, "clade-version-n2-old-but-busy", 40, { "trace.jsonl": 0.5 }); // a fresh entry: in use
    folder(root, "clade-agent-builds", 100, { cache: 100 });
    folder(root, "clade-jest-shim-0123", 100);
    folder(root, "someone-elses-dir", 100);
    folder(root, path.join("clade-sandboxes", "t0-sum-old"), 30);
    folder(root, path.join("clade-sandboxes", "t0-sum-new"), 2);
    writeFileSync(path.join(root, "clade-index-file"), "not a folder");
    const { removed } = await sweepStaleScratch({ dir: root });
    expect(removed.map((p) => path.relative(root, p)).sort()).toEqual(["clade-node-n1-def456", "clade-parent-n3-abc123", path.join("clade-sandboxes", "t0-sum-old")]);
    expect(readdirSync(root).sort()).toEqual(["clade-agent-builds", "clade-index-file", "clade-jest-shim-0123", "clade-run-fresh", "clade-sandboxes", "clade-version-n2-old-but-busy", "someone-elses-dir"]);
    expect(readdirSync(path.join(root, "clade-sandboxes"))).toEqual(["t0-sum-new"]);
  });

  it("does nothing when the folder does not exist", async () => {
    expect(await sweepStaleScratch({ dir: path.join(os.tmpdir(), "no-such-dir-for-clade-sweep") })).toEqual({ removed: [] });
  });
});
