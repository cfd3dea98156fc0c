// Kill the session process with SIGKILL at 20 random points and resume it each time: the archive
// replays, every evaluation reported done is still there, no node is duplicated, and the final tree
// is consistent (every node's commit exists, parent links valid).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { Archive } from "../../extension/engine/archive/archive";
import { createRng } from "../../extension/engine/search/rng";
import { runSessionChild } from "../helpers/sessionChild";

const work = mkdtempSync(path.join(os.tmpdir(), "clade-session-crash-"));
// Bundled inside the repo so its external packages (esbuild, typescript) resolve from node_modules.
const childScript = path.resolve(__dirname, "..", "..", "test-output", "session-crash-child.mjs");

beforeAll(async () => {
  await esbuild.build({
    entryPoints: [path.join(__dirname, "sessionCrashChild.ts")], outfile: childScript, bundle: true, platform: "node", format: "esm", target: "node20",
    external: ["esbuild", "typescript", "node-llama-cpp"], logLevel: "silent",
    banner: { js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);" },
  });
});

/** The session child on `workspace`, SIGKILLed after `killAfterMs` (null: let it finish). */
const runChild = (workspace: string, killAfterMs: number | null) => runSessionChild(childScript, [workspace, "dgm"], killAfterMs);

describe("killing a session at random points", () => {
  it("resumes 20 times after SIGKILL with nothing reported done lost, no duplicate nodes, a consistent tree", async () => {
    const workspace = mkdtempSync(path.join(work, "ws-"));
    const rng = createRng(2026);
    const reported: string[] = [];
    let kills = 0;
    while (kills < 20) {
      const run = await runChild(workspace, 200 + Math.floor(rng.next() * 1300));
      reported.push(...run.done);
      if (run.finished) break;
      kills += 1;
      // After every kill the archive replays, and everything reported so far is in it.
      const archive = await Archive.open(workspace, { readOnly: true });
      const finished = new Set(archive.nodes().flatMap((n) => archive.results(n.id).map((r) => `${n.id} ${r.taskId} ${r.runId}`)));
      for (const line of reported) expect(finished.has(line), `lost: ${line}`).toBe(true);
      await archive.dispose();
    }
    const last = await runChild(workspace, null);
    reported.push(...last.done);
    expect(last.finished, last.output).toBe(true);
    console.log(`[session crash] ${kills} kills, ${reported.length} evaluations reported done`);
    expect(kills).toBe(20);

    const archive = await Archive.open(workspace, { readOnly: true });
    try {
      const nodes = archive.nodes();
      const ids = nodes.map((n) => n.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const node of nodes) if (node.parentId) expect(ids.indexOf(node.parentId)).toBeLessThan(ids.indexOf(node.id));
      const finished = nodes.flatMap((n) => archive.results(n.id).map((r) => `${n.id} ${r.taskId} ${r.runId}`));
      for (const line of reported) expect(finished).toContain(line);
      // No task is counted twice for a node.
      for (const node of nodes) {
        const tasks = archive.results(node.id).map((r) => r.taskId);
        expect(new Set(tasks).size).toBe(tasks.length);
      }
      expect(await archive.check()).toEqual([]);
      expect(archive.searchBudget().used).toBeLessThanOrEqual(60);
    } finally {
      await archive.dispose();
    }
  });
});
