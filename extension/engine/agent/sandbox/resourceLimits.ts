// Optional rlimits for a sandboxed command, applied by the shell itself (`ulimit`) before the
// command runs: no extra process, no native module. Units follow POSIX sh (dash, bash --posix).
import { CladeError } from "../../../protocol/errors";

export interface ResourceLimits {
  /** Address space (RLIMIT_AS) in MiB. Note: runtimes that reserve big virtual ranges (JVM, Go, V8) need generous values. */
  addressSpaceMb?: number;
  /** Processes of this user (RLIMIT_NPROC) — counts ALL the user's processes, not just the command's; ignored for root. */
  maxProcesses?: number;
  /** Largest file the command may write (RLIMIT_FSIZE), in MiB. */
  fileSizeMb?: number;
  /** CPU seconds (RLIMIT_CPU). */
  cpuSeconds?: number;
  /** Open files per process (RLIMIT_NOFILE). */
  openFiles?: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new CladeError("invalid-argument", `Resource limit ${name} must be a positive number (got ${value}).`, `Pass a positive ${name} or leave it out.`);
  }
  return Math.ceil(value);
}

/**
 * Shell text that sets the limits, each one fatal if the shell cannot set it (exit 125), ending
 * in "; " so that the command follows on the same line (error messages keep their line numbers).
 */
export function ulimitPrefix(limits: ResourceLimits | undefined): string {
  if (!limits) return "";
  const parts: string[] = [];
  const add = (flag: string, value: number): void => {
    parts.push(`ulimit -${flag} ${value} || exit 125; `);
  };
  if (limits.addressSpaceMb !== undefined) add("v", positiveInteger("addressSpaceMb", limits.addressSpaceMb) * 1024); // KiB
  if (limits.maxProcesses !== undefined) {
    // bash calls it -u, dash -p (where bash's -p is the read-only pipe size).
    const n = positiveInteger("maxProcesses", limits.maxProcesses);
    parts.push(`{ ulimit -u ${n} 2>/dev/null || ulimit -p ${n}; } || exit 125; `);
  }
  if (limits.fileSizeMb !== undefined) add("f", positiveInteger("fileSizeMb", limits.fileSizeMb) * 2048); // 512-byte blocks
  if (limits.cpuSeconds !== undefined) add("t", positiveInteger("cpuSeconds", limits.cpuSeconds));
  if (limits.openFiles !== undefined) add("n", positiveInteger("openFiles", limits.openFiles));
  return parts.join("");
}
