// Which confinement a command runs in. `auto` (the default) is the strongest this machine offers:
// bubblewrap where it is installed and works; on Linux without it, util-linux `unshare` (user, mount,
// pid and network namespaces, the same minimal root); on macOS a sandbox-exec profile; elsewhere
// `process` — with a warning that says what is not confined and how to fix it.
import { existsSync } from "node:fs";
import { CladeError } from "../../../protocol/errors";
import type { SandboxInfo, SandboxMode } from "../../../protocol/sandbox";
import { ensureBubblewrap } from "./bubblewrap";
import { ensureUnshare } from "./confine";

export type ConcreteIsolation = Exclude<SandboxMode, "auto">;

export type ResolvedIsolation = SandboxInfo & { mode: ConcreteIsolation };

export const PROCESS_MODE_WARNING =
  "Agent commands run unconfined by the OS: they can read your files outside the sandbox (your home, other projects, the hidden tests), write wherever you can, and use the network. Install bubblewrap (apt-get install bubblewrap), or allow unprivileged user namespaces for util-linux unshare, then restart the engine.";

export interface ResolveOptions {
  /** Tests: behave as if bwrap were not installed (PATH without it). */
  withoutBubblewrap?: boolean;
}

const cache = new Map<string, Promise<ResolvedIsolation>>();

/** The concrete mode for `requested` here (probed once per process and option set). */
export function resolveIsolation(requested: SandboxMode = "auto", options: ResolveOptions = {}): Promise<ResolvedIsolation> {
  const key = `${requested}:${options.withoutBubblewrap ? 1 : 0}`;
  let resolved = cache.get(key);
  if (!resolved) {
    resolved = resolve(requested, options);
    cache.set(key, resolved);
    resolved.catch(() => cache.delete(key));
  }
  return resolved;
}

async function resolve(requested: SandboxMode, options: ResolveOptions): Promise<ResolvedIsolation> {
  switch (requested) {
    case "process":
      return { requested, mode: "process", reason: "clade.sandbox.mode is \"process\"", warning: PROCESS_MODE_WARNING };
    case "bwrap":
      await ensureBubblewrap();
      return { requested, mode: "bwrap", reason: "clade.sandbox.mode is \"bwrap\"" };
    case "unshare":
      await ensureUnshare();
      return { requested, mode: "unshare", reason: "clade.sandbox.mode is \"unshare\"" };
    case "sandbox-exec":
      if (!sandboxExecAvailable()) throw new CladeError("sandbox-unavailable", "sandbox-exec is only on macOS (/usr/bin/sandbox-exec).", "Choose auto.");
      return { requested, mode: "sandbox-exec", reason: "clade.sandbox.mode is \"sandbox-exec\"" };
    case "auto":
      break;
    default:
      throw new CladeError("invalid-argument", `Unknown sandbox mode "${String(requested)}".`, "Use auto, bwrap, unshare, sandbox-exec or process.");
  }
  const notes: string[] = [];
  if (process.platform === "linux") {
    if (!options.withoutBubblewrap) {
      try {
        await ensureBubblewrap();
        return { requested, mode: "bwrap", reason: "auto: bubblewrap is installed and can create namespaces here" };
      } catch (error) {
        notes.push(`bubblewrap: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else notes.push("bubblewrap: not on PATH");
    try {
      await ensureUnshare();
      return { requested, mode: "unshare", reason: `auto: util-linux unshare (user, mount, pid and network namespaces); ${notes.join("; ")}` };
    } catch (error) {
      notes.push(`unshare: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (process.platform === "darwin" && sandboxExecAvailable()) {
    return { requested, mode: "sandbox-exec", reason: "auto: macOS sandbox-exec profile (no network, no writes outside the sandbox, no reads of your home outside it)" };
  } else notes.push(`no OS sandbox for ${process.platform}`);
  return { requested, mode: "process", reason: `auto: nothing stronger works here (${notes.join("; ")})`, warning: PROCESS_MODE_WARNING };
}

function sandboxExecAvailable(): boolean {
  return process.platform === "darwin" && existsSync("/usr/bin/sandbox-exec");
}
