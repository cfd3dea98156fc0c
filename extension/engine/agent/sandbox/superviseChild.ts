// Watches one spawned command: feeds its output to the collector, stops it on timeout, cancel or
// output flood, and once its root process has exited, kills whatever it left behind and waits
// (briefly) for the pipes to drain.
import type { ChildProcess } from "node:child_process";
import type { OutputCollector } from "./OutputCollector";

export type StopReason = "timeout" | "cancel" | "flood";

export interface SuperviseOptions {
  collector: OutputCollector;
  timeoutMs: number;
  graceMs: number;
  floodBytes: number;
  signal?: AbortSignal;
  stdin?: string;
  /** Kills every process of the run; resolves with the pids found alive at its first scan. */
  kill: (graceMs: number) => Promise<number[]>;
  /** After a normal exit, instead of `kill` (a pid namespace already took everything with it). */
  afterExit?: () => Promise<number[]>;
}

export interface ChildOutcome {
  exitCode: number | null;
  signal: string | null;
  stoppedBy?: StopReason;
  /** Processes other than the root that were alive when the run was stopped or ended. */
  leftoverProcesses: number;
  spawnError?: Error;
}

/** How long to wait for stdout/stderr to close after everything was killed. */
const DRAIN_MS = 250;

function feedStdin(child: ChildProcess, text: string | undefined): void {
  if (!child.stdin) return;
  child.stdin.on("error", () => undefined); // EPIPE when the command does not read its input
  child.stdin.end(text ?? "");
}

export function superviseChild(child: ChildProcess, options: SuperviseOptions): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    let stoppedBy: StopReason | undefined;
    let killing: Promise<number[]> | undefined;
    let exited = false;
    const closed = new Promise<void>((onClose) => child.once("close", () => onClose()));

    // A failed scan must not hang the run; the process group was signalled before any scan.
    const killSafely = (): Promise<number[]> => options.kill(options.graceMs).catch(() => []);
    const stop = (reason: StopReason): void => {
      if (stoppedBy || exited) return;
      stoppedBy = reason;
      killing = killSafely();
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = (): void => stop("cancel");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const detach = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };

    const onData = (chunk: Buffer): void => {
      options.collector.push(chunk);
      if (options.collector.overflowBytes > options.floodBytes) stop("flood");
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    feedStdin(child, options.stdin);

    child.once("error", (error) => {
      if (child.pid !== undefined || exited) return; // a later error (e.g. kill failure) changes nothing
      exited = true;
      detach();
      resolve({ exitCode: null, signal: null, leftoverProcesses: 0, spawnError: error });
    });

    child.once("exit", (exitCode, signal) => {
      exited = true;
      detach();
      void (async () => {
        // After a normal exit this kills background leftovers (`daemon &`, setsid escapes).
        const found = await (killing ?? (options.afterExit ? options.afterExit().catch(() => []) : killSafely()));
        await Promise.race([closed, new Promise((wake) => setTimeout(wake, DRAIN_MS))]);
        child.stdout?.destroy();
        child.stderr?.destroy();
        const leftoverProcesses = found.filter((pid) => pid !== child.pid).length;
        resolve({ exitCode, signal, stoppedBy, leftoverProcesses });
      })();
    });
  });
}
