// A snapshot of the machine's processes, enough to find everything a sandboxed command started:
// parent, process group, session, start time. Linux reads /proc; elsewhere `ps` (no session,
// start time or environment there, so escape tracking is weaker off Linux).
//
// /proc is read with synchronous calls in small batches: one async readFile costs four trips
// through libuv's thread pool, which made a scan of ~120 processes take 10–40 ms on a busy
// machine; synchronous reads take ~2 ms, and yielding between batches keeps the event loop live.
import { execFile } from "node:child_process";
import { closeSync, openSync, readdirSync, readSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id; -1 where unknown (non-Linux). */
  sid: number;
  /** Start time in clock ticks since boot; 0 where unknown (non-Linux). */
  startTime: number;
}

export const hasProcFs = process.platform === "linux";

const BATCH = 64;
const buffer = Buffer.alloc(256 * 1024); // environ can be large; runCommand puts its marker first

/** Parses one /proc/<pid>/stat line; the command name may contain spaces and parentheses. */
export function parseProcStat(text: string): (ProcessInfo & { state: string }) | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the command name start at field 3 (state); starttime is field 22.
  const rest = text.slice(close + 2).split(" ");
  const state = rest[0] ?? "";
  const [ppid, pgid, sid, startTime] = [rest[1], rest[2], rest[3], rest[19]].map(Number);
  if (![pid, ppid, pgid, sid, startTime].every(Number.isFinite)) return undefined;
  return { pid, ppid, pgid, sid, startTime, state } as ProcessInfo & { state: string };
}

/** Reads a small /proc file synchronously (no fstat, one read); undefined if it is gone or unreadable. */
function readProcFile(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString("latin1", 0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readProc(pid: number): ProcessInfo | undefined {
  const text = readProcFile(`/proc/${pid}/stat`);
  const parsed = text === undefined ? undefined : parseProcStat(text);
  // Zombies and dead processes cannot be signalled usefully; their parent reaps them.
  if (!parsed || parsed.state === "Z" || parsed.state === "X") return undefined;
  const { state: _state, ...info } = parsed;
  return info;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function listFromProc(): Promise<ProcessInfo[]> {
  const pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
  const result: ProcessInfo[] = [];
  for (let start = 0; start < pids.length; start += BATCH) {
    if (start > 0) await yieldToEventLoop();
    for (const pid of pids.slice(start, start + BATCH)) {
      const info = readProc(pid);
      if (info) result.push(info);
    }
  }
  return result;
}

/** Parses `ps -A -o pid=,ppid=,pgid=` output. */
export function parsePsOutput(text: string): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/).map(Number);
    if (fields.length !== 3 || !fields.every(Number.isFinite)) continue;
    const [pid, ppid, pgid] = fields as [number, number, number];
    result.push({ pid, ppid, pgid, sid: -1, startTime: 0 });
  }
  return result;
}

function listFromPs(): Promise<ProcessInfo[]> {
  return new Promise((resolve) => {
    execFile("ps", ["-A", "-o", "pid=,ppid=,pgid="], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      resolve(error ? [] : parsePsOutput(stdout));
    });
  });
}

/** All live (non-zombie) processes. `source` forces a method (tests use "ps" on Linux). */
export function listProcesses(source: "auto" | "proc" | "ps" = "auto"): Promise<ProcessInfo[]> {
  const useProc = source === "proc" || (source === "auto" && hasProcFs);
  return useProc ? listFromProc() : listFromPs();
}

/** One variable of a process's initial environment (Linux; undefined if absent or not ours to read). */
export function readEnvironVariable(pid: number, name: string): string | undefined {
  if (!hasProcFs) return undefined;
  const environ = readProcFile(`/proc/${pid}/environ`);
  if (environ === undefined) return undefined;
  const prefix = `${name}=`;
  for (const entry of environ.split("\0")) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return undefined;
}
