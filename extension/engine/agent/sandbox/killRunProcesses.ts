// Finds and kills every process a sandboxed command started, including ones that left its process
// group: members of the group or session, descendants of the root, and (Linux) any process started
// after the root whose initial environment carries the run's marker variable — the marker survives
// setsid, double forks and re-parenting to init (not a deliberate `env -i`; bwrap's pid namespace
// covers that case).
import { isDeepStrictEqual } from "node:util";
import { hasProcFs, listProcesses, readEnvironVariable, type ProcessInfo } from "./processTable";

export interface RunIdentity {
  /** Pid of the command's root process; it leads its own process group and session. */
  rootPid: number;
  marker: { name: string; value: string };
  /** Clock ticks since boot at or before the root's start; only later processes are considered. */
  startTime?: number;
}

function descendsFrom(info: ProcessInfo, rootPid: number, byPid: Map<number, ProcessInfo>): boolean {
  let current: ProcessInfo | undefined = info;
  for (let depth = 0; current && depth < 512; depth++) {
    if (current.ppid === rootPid) return true;
    if (current.ppid <= 1) return false;
    current = byPid.get(current.ppid);
  }
  return false;
}

/** Pids of the run's live processes (the root included while it lives). */
export async function findRunProcesses(run: RunIdentity): Promise<number[]> {
  const table = await listProcesses();
  const byPid = new Map(table.map((info) => [info.pid, info]));
  const found: number[] = [];
  const minStart = run.startTime ?? 0;
  for (const info of table) {
    // Whatever the run started, started after its root (this also guards against pid reuse).
    if (info.pid === process.pid || info.startTime < minStart) continue;
    const related = info.pid === run.rootPid || info.pgid === run.rootPid || info.sid === run.rootPid || descendsFrom(info, run.rootPid, byPid);
    if (related || (hasProcFs && readEnvironVariable(info.pid, run.marker.name) === run.marker.value)) found.push(info.pid);
  }
  return found.sort((a, b) => a - b);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone (ESRCH) or not ours (EPERM): nothing more we can do
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to the group and every found process, wait up to `graceMs` for them to go, then
 * SIGKILL in rounds until none is left (a fork bomb keeps spawning between scans).
 * Returns the pids that were alive at the first scan.
 */
export async function killRunProcesses(run: RunIdentity, graceMs: number): Promise<number[]> {
  const first = await findRunProcesses(run);
  signal(-run.rootPid, "SIGTERM");
  for (const pid of first) signal(pid, "SIGTERM");
  let alive = first;
  const deadline = Date.now() + graceMs;
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
    alive = await findRunProcesses(run);
  }
  for (let round = 0; round < 50 && alive.length > 0; round++) {
    // Freeze first so that nothing forks between our kills, then kill.
    for (const pid of alive) signal(pid, "SIGSTOP");
    signal(-run.rootPid, "SIGKILL");
    for (const pid of alive) signal(pid, "SIGKILL");
    await sleep(round === 0 ? 2 : 10);
    const next = await findRunProcesses(run);
    if (next.length > 0 && isDeepStrictEqual(next, alive) && round > 10) break; // unkillable (EPERM, D state)
    alive = next;
  }
  return first;
}
