// runCommand with real processes: exit codes, merged output, caps and floods, timeouts, cancel,
// scrubbed environment, rlimits, and — checked in /proc — no process of a command survives it,
// whether it forked, double-forked, called setsid or ignored SIGTERM.
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { runCommand, type RunCommandOptions } from "../../extension/engine/agent/sandbox/runCommand";
import { createSandbox } from "../../extension/engine/agent/sandbox/sandbox";
import { scrubEnv } from "../../extension/engine/agent/sandbox/scrubEnv";

let base: string;
let work: string;
const marks: string[] = [];

/** Pids of live processes whose initial environment has TEST_MARK=<mark> (our own test tag). */
function processesWithMark(mark: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      if (/\) [ZX] /.test(stat)) continue; // zombies are already dead
      if (readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(`TEST_MARK=${mark}`)) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

function tagged(command: string, extra: Partial<RunCommandOptions> = {}): { mark: string; options: RunCommandOptions } {
  const mark = randomUUID();
  marks.push(mark);
  const env = { ...scrubEnv(process.env, { HOME: base, TMPDIR: base }), TEST_MARK: mark };
  return { mark, options: { cwd: work, command, timeoutMs: 10_000, maxOutputBytes: 64 * 1024, graceMs: 300, env, ...extra } };
}

async function run(command: string, extra: Partial<RunCommandOptions> = {}) {
  const { mark, options } = tagged(command, extra);
  const result = await runCommand(options);
  return { ...result, mark, survivors: processesWithMark(mark) };
}

beforeAll(async () => {
  expect(process.platform, "these tests need Linux (/proc)").toBe("linux");
  base = await realpath(await mkdtemp(path.join(tmpdir(), "clade-run-test-")));
  work = path.join(base, "work");
  await mkdir(work);
});

afterEach(() => {
  // Belt and braces: never leave a stray sleep behind on the shared machine, even if a test failed.
  for (const mark of marks.splice(0)) for (const pid of processesWithMark(mark)) process.kill(pid, "SIGKILL");
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("runCommand: results", () => {
  it("reports exit codes and signals", async () => {
    expect((await run("true")).exitCode).toBe(0);
    expect((await run("exit 7")).exitCode).toBe(7);
    const killed = await run("kill -KILL $$");
    expect(killed.exitCode).toBeNull();
    expect(killed.signal).toBe("SIGKILL");
    const missing = await run("definitely-not-a-command-xyz");
    expect(missing.exitCode).toBe(127);
    expect(missing.output).toMatch(/^\/bin\/sh: 1: .*not found/);
  });

  it("merges stdout and stderr in write order and feeds stdin", async () => {
    expect((await run("echo one; echo two >&2; echo three")).output).toBe("one\ntwo\nthree\n");
    expect((await run("tr a-z A-Z", { stdin: "hello\n" })).output).toBe("HELLO\n");
    const ignored = await run("true", { stdin: "x".repeat(4 * 1024 * 1024) }); // EPIPE must not crash
    expect(ignored.exitCode).toBe(0);
  });

  it("runs in cwd and refuses a missing cwd", async () => {
    expect((await run("pwd")).output.trim()).toBe(work);
    await expect(runCommand({ cwd: path.join(base, "nope"), command: "true", timeoutMs: 1000, maxOutputBytes: 10 })).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
  });
});

describe("runCommand: output caps", () => {
  it("caps a finite output without killing the command", async () => {
    const result = await run("head -c 5000 /dev/zero | tr '\\0' x; echo; echo end", { maxOutputBytes: 1000 });
    expect(result.exitCode).toBe(0);
    expect(result.truncated).toBe(true);
    expect(result.floodKilled).toBe(false);
    expect(result.output).toBe("x".repeat(1000));
  });

  it("kills a command that keeps flooding (yes) quickly, keeping only the cap", async () => {
    const result = await run("yes", { maxOutputBytes: 1000, timeoutMs: 30_000 });
    expect(result.floodKilled).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.truncated).toBe(true);
    expect(result.output.length).toBe(1000);
    expect(result.output.startsWith("y\ny\n")).toBe(true);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.survivors).toEqual([]);
  });

  it("can keep the head and the tail", async () => {
    const result = await run("seq 1 100000", { maxOutputBytes: 200, truncate: "head-and-tail" });
    expect(result.output.startsWith("1\n2\n3\n")).toBe(true);
    expect(result.output.endsWith("99999\n100000\n")).toBe(true);
    expect(result.output).toMatch(/bytes of output omitted/);
  });
});

describe("runCommand: timeouts and leftover processes", () => {
  it("kills `sleep 1000` at the timeout", async () => {
    const result = await run("sleep 1000", { timeoutMs: 400 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeGreaterThanOrEqual(390);
    expect(result.durationMs).toBeLessThan(5000);
    expect(result.survivors).toEqual([]);
  });

  it("kills forked children as a group", async () => {
    const result = await run("sleep 1000 & sleep 1000 & wait", { timeoutMs: 400 });
    expect(result.timedOut).toBe(true);
    expect(result.leftoverProcesses).toBeGreaterThanOrEqual(2);
    expect(result.survivors).toEqual([]);
  });

  it("kills a `setsid sleep 1000 &` escape, at the timeout and after a normal exit", async () => {
    const timedOut = await run("setsid sleep 1000 & wait", { timeoutMs: 400 });
    expect(timedOut.timedOut).toBe(true);
    expect(timedOut.survivors).toEqual([]);
    const exited = await run("setsid sleep 1000 >/dev/null 2>&1 & echo started");
    expect(exited.exitCode).toBe(0);
    expect(exited.output).toBe("started\n");
    expect(exited.leftoverProcesses).toBeGreaterThanOrEqual(1);
    expect(exited.survivors).toEqual([]);
  });

  it("kills double-forked nohup daemons and orphans re-parented to init", async () => {
    const result = await run("sh -c 'nohup sleep 1000 >/dev/null 2>&1 &'; (setsid sh -c 'sleep 1000 & sleep 1000' >/dev/null 2>&1 &); for i in 1 2 3 4 5 6 7 8; do (sleep 1000 >/dev/null 2>&1 &); done; sleep 0.3; echo ok");
    expect(result.output).toBe("ok\n");
    expect(result.leftoverProcesses).toBeGreaterThanOrEqual(11);
    expect(result.survivors).toEqual([]);
  });

  it("SIGKILLs processes that ignore SIGTERM after the grace period", async () => {
    const result = await run("trap '' TERM; setsid sh -c \"trap '' TERM; sleep 1000\" & sleep 1000", { timeoutMs: 300, graceMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    expect(result.survivors).toEqual([]);
  });

  it("stopping one command leaves a concurrent one alone", async () => {
    const [slow, stopped] = await Promise.all([run("sleep 1.5; echo still-here"), run("sleep 1000", { timeoutMs: 300 })]);
    expect(stopped.timedOut).toBe(true);
    expect(slow.exitCode).toBe(0);
    expect(slow.output).toBe("still-here\n");
  });
});

describe("runCommand: cancel", () => {
  it("cancels through an AbortSignal and kills everything", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await run("sleep 1000 & setsid sleep 1000 & wait", { signal: controller.signal });
    expect(result.cancelled).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(5000);
    expect(result.survivors).toEqual([]);
  });

  it("does not start a command whose signal is already aborted", async () => {
    const result = await run("touch started-anyway", { signal: AbortSignal.abort() });
    expect(result.cancelled).toBe(true);
    expect(existsSync(path.join(work, "started-anyway"))).toBe(false);
  });
});

describe("runCommand: environment and limits", () => {
  const secrets = { GITHUB_TOKEN: "ghp_clade_test_secret", AWS_SECRET_ACCESS_KEY: "aws_clade_test_secret", SSH_AUTH_SOCK: "/tmp/clade-test-agent.sock", NPM_TOKEN: "npm_clade_test_secret" };

  it("hides the parent's secrets from the default environment and gives a private HOME/TMPDIR", async () => {
    const saved = Object.fromEntries(Object.keys(secrets).map((name) => [name, process.env[name]]));
    Object.assign(process.env, secrets);
    try {
      const result = await runCommand({ cwd: work, command: 'env; touch "$HOME/h" "$TMPDIR/t" && echo writable', timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
      for (const [name, value] of Object.entries(secrets)) {
        expect(result.output).not.toContain(name);
        expect(result.output).not.toContain(value);
      }
      expect(result.output).toMatch(/^PATH=/m);
      expect(result.output).toContain("writable");
      const home = /^HOME=(.*)$/m.exec(result.output)?.[1];
      expect(home).toBeDefined();
      expect(home).not.toBe(homedir());
      expect(existsSync(home!)).toBe(false); // the per-run HOME is deleted afterwards
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("applies rlimits through the shell", async () => {
    const limited = await run("ulimit -v; ulimit -n; head -c 3000000 /dev/zero > big; wc -c < big", { limits: { addressSpaceMb: 512, openFiles: 64, fileSizeMb: 1 } });
    expect(limited.output.split("\n").slice(0, 2)).toEqual(["524288", "64"]);
    expect(limited.output).toMatch(/^1048576$/m);
    await expect(run("true", { limits: { cpuSeconds: -1 } })).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
  });
});

describe("Sandbox.run", () => {
  it("runs in the sandbox with its HOME, refuses a cwd outside, and dispose stops running commands", async () => {
    const source = path.join(base, "task");
    await mkdir(path.join(source, "sub"), { recursive: true });
    await writeFile(path.join(source, "sub", "f.txt"), "F");
    const sandbox = await createSandbox({ sourceDir: source, parentDir: path.join(base, "boxes") });
    const result = await sandbox.run({ cwd: "sub", command: 'pwd; cat f.txt; echo; echo "$HOME"', timeoutMs: 10_000, maxOutputBytes: 4096 });
    expect(result.output).toBe(`${path.join(sandbox.root, "sub")}\nF\n${sandbox.homeDir}\n`);
    await expect(sandbox.run({ cwd: "..", command: "true", timeoutMs: 1000, maxOutputBytes: 10 })).rejects.toSatisfy((error: unknown) => CladeError.is(error, "sandbox-violation"));

    const mark = randomUUID();
    marks.push(mark);
    const running = sandbox.run({ command: "setsid sleep 1000 & sleep 1000", timeoutMs: 60_000, maxOutputBytes: 100, env: sandbox.env({ TEST_MARK: mark }) });
    await new Promise((wake) => setTimeout(wake, 300));
    expect(processesWithMark(mark).length).toBeGreaterThanOrEqual(2);
    await sandbox.dispose();
    expect((await running).cancelled).toBe(true);
    expect(processesWithMark(mark)).toEqual([]);
    await expect(stat(sandbox.root)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
