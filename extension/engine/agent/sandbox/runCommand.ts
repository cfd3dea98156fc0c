// Runs one shell command of untrusted code: its own process group and session, a wall-clock
// timeout, a cap on the combined output, a scrubbed environment, optional rlimits and optional
// bubblewrap isolation. When it ends — normally, by timeout, flood or cancel — everything it
// started is killed, escaped daemons included (see killRunProcesses).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, mkdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CladeError } from "../../../protocol/errors";
import { bubblewrapArgs, ensureBubblewrap } from "./bubblewrap";
import { prepareConfineRoot, unshareArgs } from "./confine";
import { resolveIsolation } from "./isolation";
import { sandboxExecProfile } from "./sandboxExecProfile";
import { OutputCollector, type TruncateMode } from "./OutputCollector";
import { killRunProcesses, type RunIdentity } from "./killRunProcesses";
import { hasProcFs } from "./processTable";
import { ulimitPrefix, type ResourceLimits } from "./resourceLimits";
import { scrubEnv } from "./scrubEnv";
import { superviseChild, type ChildOutcome } from "./superviseChild";
import type { SandboxMode } from "../../../protocol/sandbox";

/** Set in every command's environment; lets us find its processes after they escape the group. */
export const RUN_MARKER_VARIABLE = "CLADE_SANDBOX_RUN";

export type Isolation = SandboxMode;

export interface RunCommandOptions {
  cwd: string;
  /** Run with /bin/sh -c. */
  command: string;
  timeoutMs: number;
  /** Cap on combined stdout+stderr; beyond it output is dropped and `truncated` set. */
  maxOutputBytes: number;
  /** Default: scrubEnv(process.env) with HOME and TMPDIR in a private per-run folder. */
  env?: Record<string, string>;
  /** Added to that default environment (ignored with `env`). */
  envExtra?: Record<string, string>;
  signal?: AbortSignal;
  stdin?: string;
  /** SIGTERM → SIGKILL grace when killing (default 500 ms). */
  graceMs?: number;
  /** Output beyond the cap after which the command is killed as a flood (default max(10 × cap, 8 MiB)). */
  floodBytes?: number;
  /** What to keep when output is cut: the first bytes (default) or the first and last halves. */
  truncate?: TruncateMode;
  limits?: ResourceLimits;
  /**
   * "process" (the default here, for Clade's own tools); "auto" (what agent commands get: the
   * strongest confinement this machine offers, isolation.ts); "bwrap" / "unshare" / "sandbox-exec"
   * explicitly (CladeError "sandbox-unavailable" if it cannot).
   */
  isolation?: Isolation;
  /** Confined modes: folders bound read-write (default: cwd, and the private HOME/TMPDIR if created). */
  writablePaths?: string[];
  /** Confined modes: folders/files hidden from the command even if under a visible folder. */
  hiddenPaths?: string[];
  /** Confined modes: keep the network (default false: a private loopback only). */
  network?: boolean;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  output: string;
  truncated: boolean;
  durationMs: number;
  /** Killed because output kept flooding past the cap. */
  floodKilled: boolean;
  /** Processes still alive when the command ended (or was stopped) that had to be killed. */
  leftoverProcesses: number;
}

function validate(options: RunCommandOptions): void {
  const bad = (what: string): never => {
    throw new CladeError("invalid-argument", `runCommand: ${what}.`, "Pass valid command options (see RunCommandOptions).");
  };
  if (typeof options.command !== "string") bad("command must be a string");
  if (!(options.timeoutMs > 0)) bad(`timeoutMs must be positive (got ${options.timeoutMs})`);
  if (!(options.maxOutputBytes >= 0)) bad(`maxOutputBytes must be ≥ 0 (got ${options.maxOutputBytes})`);
}

async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CladeError("invalid-argument", `The command's working folder does not exist: ${cwd}`, "Create the sandbox first and run commands inside it.");
  }
}

/** Clock ticks since boot, a little in the past: every process the command starts starts later. */
async function startTimeFloor(): Promise<number | undefined> {
  if (!hasProcFs) return undefined;
  const uptime = Number((await readFile("/proc/uptime", "latin1")).split(" ")[0]);
  return Number.isFinite(uptime) ? Math.floor(uptime * 100) - 5 : undefined; // USER_HZ is 100
}

interface Scratch {
  dir: string;
  vars: Record<string, string>;
}

async function createScratch(): Promise<Scratch> {
  const dir = await mkdtemp(path.join(tmpdir(), "clade-run-"));
  const vars = { HOME: path.join(dir, "home"), TMPDIR: path.join(dir, "tmp") };
  await Promise.all([mkdir(vars.HOME), mkdir(vars.TMPDIR)]);
  return { dir, vars };
}

function emptyResult(startedAt: number, cancelled: boolean): CommandResult {
  return { exitCode: null, signal: null, timedOut: false, cancelled, output: "", truncated: false, durationMs: performance.now() - startedAt, floodKilled: false, leftoverProcesses: 0 };
}

/** The command line, and whether it runs in a pid namespace of its own (bwrap, unshare). */
async function buildArgv(options: RunCommandOptions, script: string, scratch: Scratch | undefined, confineRoot: () => Promise<string>): Promise<{ argv: string[]; pidNamespace: boolean }> {
  const { mode } = await resolveIsolation(options.isolation ?? "process");
  const argv = await confinedArgv(mode, options, ["/bin/sh", "-c", script], scratch, confineRoot);
  return { argv, pidNamespace: mode === "bwrap" || mode === "unshare" };
}

async function confinedArgv(mode: string, options: RunCommandOptions, shell: string[], scratch: Scratch | undefined, confineRoot: () => Promise<string>): Promise<string[]> {
  if (mode === "process") return shell;
  const writablePaths = options.writablePaths ?? [options.cwd, ...(scratch ? [scratch.dir] : [])];
  if (mode === "unshare") {
    const confine = { cwd: options.cwd, writablePaths, hiddenPaths: options.hiddenPaths, network: options.network, rootDir: await confineRoot() };
    await prepareConfineRoot(confine);
    return unshareArgs(confine, shell);
  }
  if (mode === "sandbox-exec") return ["/usr/bin/sandbox-exec", "-p", sandboxExecProfile({ writablePaths, network: options.network }), ...shell];
  const bwrap = await ensureBubblewrap();
  return [bwrap, ...(await bubblewrapArgs({ cwd: options.cwd, writablePaths, hiddenPaths: options.hiddenPaths, network: options.network }, shell))];
}

export async function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const startedAt = performance.now();
  validate(options);
  if (options.signal?.aborted) return emptyResult(startedAt, true);
  await assertDirectory(options.cwd);
  // `exec 2>&1` merges stderr into stdout in the true write order; same line, so that shell
  // error messages keep their line numbers.
  const script = `exec 2>&1; ${ulimitPrefix(options.limits)}${options.command}`;
  const scratch = options.env ? undefined : await createScratch();
  // unshare mounts the command's new root on an empty folder of ours (removed afterwards).
  let confineDir: string | undefined;
  const confineRoot = async () => (confineDir ??= await mkdtemp(path.join(tmpdir(), "clade-root-")));
  try {
    const marker = { name: RUN_MARKER_VARIABLE, value: randomUUID() };
    // The marker goes first: /proc/<pid>/environ is read only up to a size limit.
    const { [marker.name]: _ignored, ...base } = options.env ?? scrubEnv(process.env, { ...options.envExtra, ...scratch?.vars });
    const env = { [marker.name]: marker.value, ...base };
    const { argv, pidNamespace } = await buildArgv(options, script, scratch, confineRoot);
    const startTime = await startTimeFloor();
    const outcome = await execute(options, argv, env, { marker, startTime }, pidNamespace);
    return { ...outcome, durationMs: performance.now() - startedAt };
  } finally {
    if (scratch) await rm(scratch.dir, { recursive: true, force: true }).catch(() => undefined);
    if (confineDir) await rm(confineDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function execute(options: RunCommandOptions, argv: string[], env: Record<string, string>, identity: Omit<RunIdentity, "rootPid">, pidNamespace: boolean): Promise<Omit<CommandResult, "durationMs">> {
  const collector = new OutputCollector(options.maxOutputBytes, options.truncate);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env,
    detached: true, // own process group and session: killable as a group, no controlling terminal
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  const outcome: ChildOutcome = await superviseChild(child, {
    collector,
    timeoutMs: options.timeoutMs,
    graceMs: options.graceMs ?? 500,
    floodBytes: options.floodBytes ?? Math.max(10 * options.maxOutputBytes, 8 * 1024 * 1024),
    signal: options.signal,
    stdin: options.stdin,
    kill: (graceMs) => (child.pid === undefined ? Promise.resolve([]) : killRunProcesses({ ...identity, rootPid: child.pid }, graceMs)),
    // bwrap / unshare: once the command's root exits, its pid namespace is gone and everything in it
    // with it (the kernel kills the rest and the namespace's init waits for them): no scan needed.
    ...(pidNamespace ? { afterExit: async () => [] } : {}),
  });
  if (outcome.spawnError) {
    throw new CladeError("sandbox-unavailable", `Could not start the command (${argv[0]}): ${outcome.spawnError.message}`, "Check that /bin/sh exists and the sandbox folder is readable.", undefined, { cause: outcome.spawnError });
  }
  return {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    timedOut: outcome.stoppedBy === "timeout",
    cancelled: outcome.stoppedBy === "cancel",
    floodKilled: outcome.stoppedBy === "flood",
    output: collector.text(),
    truncated: collector.truncated,
    leftoverProcesses: outcome.leftoverProcesses,
  };
}
