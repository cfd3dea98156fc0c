// Hostile COMMANDS (what run_command executes): escapes from the process group that must still die
// when the command ends or times out, fork bombs, memory hogs, floods, and reads/writes/network
// outside — in "bwrap" and "unshare" (what the default `auto` resolves to with and without bubblewrap)
// and in the "process" fallback. Where the process mode by design does not confine (files,
// network), the case is reported as a documented limit, not a pass.
import { readdirSync, readFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { runCommand, type Isolation, type RunCommandOptions } from "../../extension/engine/agent/sandbox/runCommand";
import type { SuiteReport } from "./suiteReport";

interface Context {
  work: string;
  /** A file outside every sandbox, at an absolute path (the user's repository's secret). */
  secretFile: string;
  sshKey: string;
  port: number;
  connections(): number;
  hiddenTest: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Live processes whose command line contains `needle`. */
function alive(needle: string): number[] {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return false;
      return readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ").includes(needle);
    } catch {
      return false;
    }
  }).map(Number);
}

export async function commandCases(report: SuiteReport, ctx: Context): Promise<void> {
  const cwd = mkdtempSync(path.join(ctx.work, "cmd-"));
  const run = (command: string, isolation: Isolation, extra: Partial<RunCommandOptions> = {}) =>
    runCommand({ cwd, command, timeoutMs: 3000, maxOutputBytes: 64 * 1024, isolation, writablePaths: [cwd], ...extra });

  const escapes: [string, (tag: string) => string, Partial<RunCommandOptions>][] = [
    ["setsid daemon", (t) => `setsid sleep ${t} >/dev/null 2>&1 & echo started`, {}],
    ["double fork", (t) => `(sh -c "sleep ${t} >/dev/null 2>&1 &" &) ; echo started`, {}],
    ["nohup", (t) => `nohup sleep ${t} >/dev/null 2>&1 & echo started`, {}],
    ["setsid daemon while the command times out", (t) => `setsid sleep ${t} >/dev/null 2>&1 & sleep 60`, { timeoutMs: 1000 }],
    ["bounded fork bomb (255 processes) at the timeout", (t) => `f(){ if [ $1 -gt 0 ]; then f $(($1-1)) & f $(($1-1)) & fi; sleep ${t}; }; f 7`, { timeoutMs: 1500 }],
  ];
  let tag = 4100;
  // bwrap and unshare are what `auto` resolves to with and without bubblewrap on PATH
  // (isolationResolve in the suite checks that); process is the fallback with its documented limits.
  for (const isolation of ["process", "bwrap", "unshare"] as const) {
    for (const [name, make, extra] of escapes) {
      await report.attempt(`command (${isolation}): ${name} dies with the command`, async () => {
        const t = String(tag++);
        const result = await run(make(t), isolation, extra);
        await sleep(200);
        const left = alive(`sleep ${t}`);
        return { ok: left.length === 0, detail: `${result.timedOut ? "timed out" : `exit ${result.exitCode}`}; ${result.leftoverProcesses} leftover process(es) killed; ${left.length} still alive` };
      });
    }
    await report.attempt(`command (${isolation}): setsid + env -i (drops the run marker) dies with the command`, async () => {
      const t = String(tag++);
      await run(`setsid env -i sleep ${t} >/dev/null 2>&1 & echo started`, isolation);
      await sleep(200);
      const left = alive(`sleep ${t}`);
      for (const pid of left) process.kill(pid, "SIGKILL");
      // Process mode finds escaped processes by group, session, ancestry and the marker variable;
      // one that drops all of them (setsid + env -i, re-parented to init) is only caught by bwrap's pid namespace.
      return { ok: left.length === 0, detail: `${left.length} still alive${left.length ? " (killed by the suite)" : ""}`, knownLimit: isolation === "process" && left.length > 0 };
    });
    await report.attempt(`command (${isolation}): memory hog under addressSpaceMb 256`, async () => {
      const result = await run(`x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done`, isolation, { limits: { addressSpaceMb: 256 }, timeoutMs: 20_000 });
      return { ok: !result.timedOut && result.exitCode !== 0, detail: `ended with exit ${result.exitCode} ${result.signal ?? ""} after ${(result.durationMs / 1000).toFixed(1)} s: ${result.output.trim().slice(-120)}` };
    });
    await report.attempt(`command (${isolation}): infinite output (yes) is capped and killed`, async () => {
      const result = await run("yes", isolation, { timeoutMs: 20_000 });
      return { ok: result.truncated && result.floodKilled && result.output.length <= 70 * 1024, detail: `truncated ${result.truncated}, flood-killed ${result.floodKilled}, kept ${result.output.length} chars, ${(result.durationMs / 1000).toFixed(1)} s` };
    });
    await report.attempt(`command (${isolation}): secrets in the environment`, async () => {
      const result = await run("env", isolation);
      const leaked = result.output.split("\n").filter((l) => /SECRET|TOKEN|aws-secret|ghp_/.test(l));
      return { ok: leaked.length === 0, detail: leaked.length ? `LEAK: ${leaked.join(", ")}` : `clean (${result.output.split("\n").length} variables)` };
    });
    await report.attempt(`command (${isolation}): read ~/.ssh private key`, async () => {
      const result = await run(`cat ${ctx.sshKey}`, isolation);
      const leaked = /PRIVATE KEY/.test(result.output);
      return { ok: !leaked, detail: leaked ? "LEAK: the key was printed" : `denied: ${result.output.trim().slice(0, 100) || `exit ${result.exitCode}`}`, knownLimit: isolation === "process" && leaked };
    });
    await report.attempt(`command (${isolation}): read a file planted outside the sandbox (absolute path)`, async () => {
      const result = await run(`cat ${ctx.secretFile}`, isolation);
      const leaked = /hunter2/.test(result.output);
      return { ok: !leaked, detail: leaked ? "LEAK: the planted file was read" : `denied: ${result.output.trim().slice(0, 100) || `exit ${result.exitCode}`}`, knownLimit: isolation === "process" && leaked };
    });
    await report.attempt(`command (${isolation}): write outside the sandbox`, async () => {
      const target = path.join(path.dirname(ctx.secretFile), `written-by-command-${isolation}`);
      const result = await run(`echo x > ${target}`, isolation);
      const leaked = existsSync(target);
      return { ok: !leaked, detail: leaked ? "LEAK: the file was written" : `denied: ${result.output.trim().slice(0, 100)}`, knownLimit: isolation === "process" && leaked };
    });
    await report.attempt(`command (${isolation}): remount a system folder writable and change the host's files (matters where Clade runs as root: CI, containers)`, async () => {
      const target = `/etc/clade-remount-probe-${process.pid}-${isolation}`;
      const result = await run(`mount -o remount,bind,rw /etc 2>&1; echo x > ${target}`, isolation);
      const leaked = existsSync(target);
      if (leaked) rmSync(target, { force: true });
      // Process mode writes /etc only if Clade itself may (root): then it is that mode's limit.
      return { ok: !leaked, detail: leaked ? "LEAK: /etc was written" : `denied: ${result.output.trim().replace(/\s+/g, " ").slice(0, 120)}`, knownLimit: isolation === "process" && leaked };
    });
    await report.attempt(`command (${isolation}): open a TCP connection`, async () => {
      const before = ctx.connections();
      const result = await run(`node -e "require('net').connect(${ctx.port},'127.0.0.1',()=>{console.log('connected');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(1)})"`, isolation);
      await sleep(100);
      const leaked = ctx.connections() > before;
      return { ok: !leaked, detail: leaked ? "LEAK: connected" : `denied: ${result.output.trim().slice(0, 100)}`, knownLimit: isolation === "process" && leaked };
    });
  }
}
