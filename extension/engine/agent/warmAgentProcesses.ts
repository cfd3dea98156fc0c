// Agent processes started ahead of their runs. Every run starts its agent version in a fresh,
// confined Node process; Node's start-up (~70-100 ms here) was most of the harness's overhead over
// the bare test command (`clade bench harness`). After a run's agent finishes, while its hidden
// tests run, the runner starts the process for the next run of the same version: a reserved empty
// sandbox (work/home/tmp) and the harness waiting in it, confined to it exactly as a fresh one would
// be (the permission model is fixed at start-up, so the sandbox is reserved first). The harness
// locks down and loads the version's module while it waits (its top-level code runs then, as
// confined as the run; the run's timeout starts with the task). A warm process that is not taken within 20 s, or that is
// pushed out by newer ones, is killed and its folder removed.
import os from "node:os";
import { releaseReservedSandbox, reserveSandbox, type ReservedSandbox } from "./sandbox/sandbox";
import { startAgentProcess, type StartedAgentProcess } from "./agentProcess";

export interface WarmAgent {
  readonly started: StartedAgentProcess;
  readonly reserved: ReservedSandbox;
}

const IDLE_MS = 20_000;
const WARM_NICE = 10;
/** At most this many waiting processes (a session runs 1-4 in parallel). */
const MAX_WARM = 4;

const pool: { warm: WarmAgent; timer: NodeJS.Timeout }[] = [];
let exitHookInstalled = false;

function discard(warm: WarmAgent): void {
  warm.started.kill();
  void releaseReservedSandbox(warm.reserved).catch(() => undefined);
}

/** Starts a process for the next run of `bundle` (errors are swallowed: the run then starts one itself). */
export async function prepareWarmAgent(harness: string, bundle: string): Promise<void> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // They live in their own process groups: take them along when the engine exits.
    process.once("exit", () => {
      for (const entry of pool.splice(0)) entry.warm.started.kill();
    });
  }
  let reserved: ReservedSandbox | undefined;
  try {
    reserved = await reserveSandbox({ name: "run" });
    const started = await startAgentProcess({ harness, bundle, workspace: reserved.work, env: reserved.env });
    // Below normal priority: its start-up (~80 ms of CPU) runs while the previous run's hidden tests
    // do, and must not slow them. It stays there for its run: the agent process only waits on the
    // engine (its commands are the engine's children, at normal priority).
    if (started.child.pid !== undefined) {
      try {
        os.setPriority(started.child.pid, WARM_NICE);
      } catch {
        // not allowed here: it starts at normal priority
      }
    }
    const warm: WarmAgent = { started, reserved };
    const timer = setTimeout(() => {
      const at = pool.findIndex((entry) => entry.warm === warm);
      if (at >= 0) discard(pool.splice(at, 1)[0].warm);
    }, IDLE_MS);
    timer.unref();
    pool.push({ warm, timer });
    while (pool.length > MAX_WARM) {
      const oldest = pool.shift()!;
      clearTimeout(oldest.timer);
      discard(oldest.warm);
    }
  } catch {
    if (reserved) await releaseReservedSandbox(reserved).catch(() => undefined);
  }
}

/** A waiting process for `bundle`, removed from the pool; undefined if there is none (or it died). */
export function takeWarmAgent(harness: string, bundle: string): WarmAgent | undefined {
  for (let i = 0; i < pool.length; i++) {
    const { warm, timer } = pool[i];
    if (warm.started.harness !== harness || warm.started.bundle !== bundle) continue;
    pool.splice(i, 1);
    clearTimeout(timer);
    if (warm.started.dead) {
      discard(warm);
      return takeWarmAgent(harness, bundle);
    }
    return warm;
  }
  return undefined;
}

/** Kills every waiting process and removes its folder (engine shutdown, tests). */
export function disposeWarmAgents(): void {
  for (const entry of pool.splice(0)) {
    clearTimeout(entry.timer);
    discard(entry.warm);
  }
}

/** What is waiting (diagnostics and tests): process id, version bundle and sandbox folder of each. */
export function waitingAgents(): { pid: number | undefined; bundle: string; container: string }[] {
  return pool.map(({ warm }) => ({ pid: warm.started.child.pid, bundle: warm.started.bundle, container: warm.reserved.container }));
}
