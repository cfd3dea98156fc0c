// "Reported done" means on disk: a child process appends an event, prints "done" once the append
// resolved, keeps writing, and is SIGKILLed the moment "done" arrives. Reopening finds the event;
// at most a torn last line is reported; the dead writer's lock is taken over.
import { spawn } from "node:child_process";
import path from "node:path";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Archive } from "../../extension/engine/archive";
import { removeTempDirs, seededArchive, tempDir } from "../unit/archiveFixtures";

let childScript: string;

beforeAll(async () => {
  childScript = path.join(await tempDir("clade-crash-child-"), "child.mjs");
  await esbuild.build({
    entryPoints: [path.join(__dirname, "archiveCrashChild.ts")], outfile: childScript, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning",
    banner: { js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);" },
  });
});

afterAll(removeTempDirs);

/** Runs the child until it prints "done", then SIGKILLs it at once; resolves after it died. */
function appendAndKill(workspace: string, runId: string): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, workspace, runId], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(`done ${runId}\n`)) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (!stdout.includes("done")) reject(new Error(`child never reported done: ${stderr}`));
      else resolve({ signal, stderr });
    });
  });
}

describe("archive appends survive SIGKILL right after they resolve", () => {
  it("keeps every event a killed writer reported done, five kills in a row", async () => {
    const { archive, workspace } = await seededArchive();
    await archive.dispose();
    const runIds = ["k1", "k2", "k3", "k4", "k5"];
    for (const runId of runIds) {
      const { signal } = await appendAndKill(workspace, runId);
      expect(signal).toBe("SIGKILL");
      // Opening for writing takes over the dead child's lock and cuts off a torn tail, if any.
      const reopened = await Archive.open(workspace);
      expect(reopened.problems.every((p) => p.code === "torn-line")).toBe(true);
      expect(reopened.results("n0").map((r) => r.runId)).toEqual(runIds.slice(0, runIds.indexOf(runId) + 1));
      expect(await reopened.check()).toEqual(reopened.problems);
      await reopened.dispose();
    }
    const final = await Archive.open(workspace, { readOnly: true });
    expect(final.problems).toEqual([]);
    expect(final.totals("n0").passed).toBe(5);
    await final.dispose();
  });
});
