// Raw numbers for `clade bench harness`: sandbox create + dispose time on a task's files, and
// runCommand's overhead over a bare spawn of the same command, measured interleaved (A, B, A, B…).
import { spawn } from "node:child_process";
import { median } from "../../util/median";
import { runCommand } from "./runCommand";

export { median };
import { createSandbox, type CreateSandboxOptions } from "./sandbox";

export interface SandboxOverhead {
  repetitions: number;
  /** create + dispose, per repetition (ms). */
  lifecycleMs: number[];
  /** runCommand(command) inside the sandbox, per repetition (ms). */
  runCommandMs: number[];
  /** The same command spawned bare (/bin/sh -c, no group kill, no scan), per repetition (ms). */
  bareMs: number[];
  medianLifecycleMs: number;
  medianRunCommandMs: number;
  medianBareMs: number;
}

function bareRun(cwd: string, command: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.resume();
    child.stderr.resume();
    child.once("error", reject);
    child.once("close", () => resolve(performance.now() - started));
  });
}

export async function measureSandboxOverhead(
  options: CreateSandboxOptions & { repetitions?: number; command?: string },
): Promise<SandboxOverhead> {
  const repetitions = options.repetitions ?? 20;
  const command = options.command ?? "true";
  const lifecycleMs: number[] = [];
  const runCommandMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    const sandbox = await createSandbox(options);
    const created = performance.now();
    try {
      const measured = async (): Promise<void> => {
        const result = await runCommand({ cwd: sandbox.root, command, env: sandbox.env(), timeoutMs: 60_000, maxOutputBytes: 1 << 20 });
        runCommandMs.push(result.durationMs);
      };
      const bare = async (): Promise<void> => {
        bareMs.push(await bareRun(sandbox.root, command));
      };
      // Alternate which goes first, so that warm caches favour neither.
      for (const step of i % 2 === 0 ? [measured, bare] : [bare, measured]) await step();
    } finally {
      const disposing = performance.now();
      await sandbox.dispose();
      lifecycleMs.push(created - started + (performance.now() - disposing));
    }
  }
  return {
    repetitions,
    lifecycleMs,
    runCommandMs,
    bareMs,
    medianLifecycleMs: median(lifecycleMs),
    medianRunCommandMs: median(runCommandMs),
    medianBareMs: median(bareMs),
  };
}
