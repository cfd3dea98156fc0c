// The optional bubblewrap isolation, with the real bwrap: no network, / read-only, the sandbox
// writable, hidden paths, a private /tmp, and the same cleanup guarantees. Needs bubblewrap
// installed (`apt-get install bubblewrap`) and user namespaces; fails saying so otherwise.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { ensureBubblewrap } from "../../extension/engine/agent/sandbox/bubblewrap";
import { createSandbox, type Sandbox } from "../../extension/engine/agent/sandbox/sandbox";

let base: string;
let source: string;
let secretDir: string;
let sandbox: Sandbox;

function processesWithMark(mark: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return !/\) [ZX] /.test(readFileSync(`/proc/${name}/stat`, "latin1")) && readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(`TEST_MARK=${mark}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const run = (command: string, env?: Record<string, string>) => sandbox.run({ command, timeoutMs: 20_000, maxOutputBytes: 64 * 1024, graceMs: 300, ...(env ? { env: sandbox.env(env) } : {}) });

beforeAll(async () => {
  try {
    await ensureBubblewrap();
  } catch (error) {
    throw new Error(CladeError.is(error) ? `bubblewrap is required for this test: ${error.describe()}` : String(error), { cause: error });
  }
  base = await realpath(await mkdtemp(path.join(tmpdir(), "clade-bwrap-test-")));
  source = path.join(base, "task");
  secretDir = path.join(base, "reference-solutions");
  await mkdir(source);
  await mkdir(secretDir);
  await writeFile(path.join(source, "a.txt"), "original");
  await writeFile(path.join(secretDir, "solution.txt"), "the answer");
  sandbox = await createSandbox({ sourceDir: source, parentDir: path.join(base, "boxes"), isolation: "bwrap", hiddenPaths: [secretDir] });
});

afterAll(async () => {
  await sandbox?.dispose();
  if (base) await rm(base, { recursive: true, force: true });
});

describe("bubblewrap isolation", () => {
  it("says how to install bubblewrap when it is missing", async () => {
    const empty = path.join(base, "empty-bin");
    await mkdir(empty, { recursive: true });
    const error = await ensureBubblewrap({ searchPath: empty }).catch((caught: unknown) => caught);
    expect(CladeError.is(error, "sandbox-unavailable")).toBe(true);
    expect((error as CladeError).fix).toMatch(/apt-get install bubblewrap/);
  });

  it("writes inside the sandbox, but not to the source or the rest of the system", async () => {
    const result = await run(`echo changed > a.txt && cat a.txt; echo x > "${source}/a.txt"; echo rc=$?; touch /usr/clade-bwrap-probe; echo rc=$?; touch "$HOME/ok" && echo home-ok`);
    expect(result.output).toMatch(/^changed$/m);
    expect(result.output).toMatch(/Read-only file system/);
    expect(result.output).not.toMatch(/rc=0/);
    expect(result.output).toMatch(/home-ok/);
    expect(await readFile(path.join(sandbox.root, "a.txt"), "utf8")).toBe("changed\n");
    expect(await readFile(path.join(source, "a.txt"), "utf8")).toBe("original");
  });

  it("has no network but loopback", async () => {
    const result = await run("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    expect(result.output.trim().split("\n")).toEqual(["lo"]);
  });

  it("hides the requested paths and the host's /tmp", async () => {
    const hostFile = path.join(tmpdir(), `clade-bwrap-visible-${randomUUID()}`);
    await writeFile(hostFile, "host");
    try {
      // Absent (outside every visible folder) or covered (under one): either way nothing to list.
      const result = await run(`ls -A "${secretDir}" 2>/dev/null | wc -l; cat "${secretDir}/solution.txt" 2>/dev/null || echo no-solution; cat "${hostFile}" 2>/dev/null || echo no-host-tmp`);
      expect(result.output).toBe("0\nno-solution\nno-host-tmp\n");
    } finally {
      await rm(hostFile, { force: true });
    }
  });

  it("kills what the command leaves behind, escapes included", async () => {
    const mark = randomUUID();
    const exited = await run("setsid sleep 1000 >/dev/null 2>&1 & (sleep 1000 &) ; echo started", { TEST_MARK: mark });
    expect(exited.output).toBe("started\n");
    expect(processesWithMark(mark)).toEqual([]);
    const timedOut = await sandbox.run({ command: "sleep 1000", timeoutMs: 300, maxOutputBytes: 100, env: sandbox.env({ TEST_MARK: mark }) });
    expect(timedOut.timedOut).toBe(true);
    expect(processesWithMark(mark)).toEqual([]);
  });
});
