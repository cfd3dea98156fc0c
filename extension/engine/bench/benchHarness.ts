// `clade bench harness`: what the harness costs around a task evaluation, per confinement mode
// available here (auto, process, bwrap, unshare). Measured: the wall time of
// one evaluation (sandbox, confined agent process, tool dispatch, hidden-test scoring, cleanup)
// minus model time, with a SCRIPTED provider replaying the reference solution. Reference: the bare
// test command run directly on the same solved files. Interleaved, medians. Also sandbox
// create + cleanup time (goal ≤ 50 ms p50).
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildAgent } from "../agent/buildAgent";
import { runTask } from "../agent/runTask";
import { ScriptedProvider, type ScriptedReply } from "../agent/scriptedProvider";
import { resolveIsolation } from "../agent/sandbox/isolation";
import { measureSandboxOverhead } from "../agent/sandbox/measureSandboxOverhead";
import type { SandboxMode } from "../../protocol/sandbox";
import { seedAgentDir } from "../resources";
import { openBuiltinSuite } from "../tasks/builtinSuite";
import { listDirEntries } from "../tasks/fileEntries";
import { makeScratchDir } from "../tasks/taskDirs";
import type { Task } from "../tasks/types";
import { median, round, type BenchReport } from "./benchReport";

export async function benchHarness(options: { repetitions?: number; taskId?: string; modes?: SandboxMode[] } = {}): Promise<BenchReport[]> {
  const repetitions = options.repetitions ?? 10;
  const taskId = options.taskId ?? "t0-subtract-order";
  const task = await openBuiltinSuite().get(taskId);
  if (!task?.files.writeReference) throw new Error(`bench harness: built-in task ${taskId} with a reference solution not found`);
  const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
  if (!build.ok) throw new Error(`bench harness: the seed agent does not build: ${build.message}`);
  const replies = await referenceReplies(task);
  const solved = await makeScratchDir("bench-bare");
  const runsDir = await fs.mkdtemp(path.join(os.tmpdir(), "clade-bench-runs-"));
  try {
    await task.files.writeStart(solved.path);
    await task.files.writeReference(solved.path);
    await task.files.writeHiddenTests(solved.path);
    // Every confinement available here (auto first: what users get), against the same bare command.
    const modes: { mode: SandboxMode; resolved: string }[] = [];
    for (const mode of options.modes ?? (["auto", "process", "bwrap", "unshare"] as SandboxMode[])) {
      const resolved = await resolveIsolation(mode).catch(() => undefined);
      if (resolved) modes.push({ mode, resolved: resolved.mode });
    }
    const harnessMs = new Map<SandboxMode, number[]>(modes.map((m) => [m.mode, []]));
    const bareMs: number[] = [];
    const evaluate = (mode: SandboxMode) => async () => {
      const result = await runTask({ task, versionId: "bench", bundle: build.bundle, provider: new ScriptedProvider(replies), runsDir, isolation: mode });
      if (!result.passed) throw new Error(`bench harness: the scripted reference run did not pass (${mode}): ${result.test?.output ?? result.error?.message}`);
      harnessMs.get(mode)!.push(result.wallMs - result.modelMs);
    };
    const bare = async () => bareMs.push(await timeCommand(task.testCommand, solved.path));
    for (const { mode } of modes) await evaluate(mode)(); // warm-up: build caches, starting-files cache
    await bare();
    for (const list of harnessMs.values()) list.length = 0;
    bareMs.length = 0;
    const steps = [bare, ...modes.map(({ mode }) => evaluate(mode))];
    for (let i = 0; i < repetitions; i++) for (const step of i % 2 ? [...steps].reverse() : steps) await step();
    const sandbox = await measureSandboxOverhead({ sourceDir: solved.path, repetitions: Math.max(20, repetitions) });
    const b = median(bareMs);
    const perMode = modes.map(({ mode, resolved }): BenchReport => {
      const m = median(harnessMs.get(mode)!);
      return {
        name: mode === "auto" ? "harness" : `harness-${mode}`, ratio: round((m - b) / b), reference: round(b, 1), measured: round(m, 1), unit: "ms", repetitions,
        goal: "overhead (measured - reference) / reference ≤ 0.10",
        inputs: { task: task.id, testCommand: task.testCommand, agent: "seed (scripted provider replaying the reference)", sandbox: mode === "auto" ? `auto (${resolved})` : mode },
        details: { harnessMs: harnessMs.get(mode)!.map((v) => round(v, 1)), bareMs: bareMs.map((v) => round(v, 1)) },
      };
    });
    return [
      ...perMode,
      {
        name: "harness-sandbox", ratio: null, reference: null, measured: round(sandbox.medianLifecycleMs, 2), unit: "ms (create + cleanup, p50)", repetitions: sandbox.repetitions,
        goal: "≤ 50 ms p50",
        inputs: { files: (await listDirEntries(solved.path)).length },
        details: { lifecycleMs: sandbox.lifecycleMs.map((v) => round(v, 2)), runCommandMedianMs: round(sandbox.medianRunCommandMs, 1), bareSpawnMedianMs: round(sandbox.medianBareMs, 1) },
      },
    ];
  } finally {
    await solved.dispose();
    await fs.rm(runsDir, { recursive: true, force: true });
  }
}

/** Scripted replies that write the reference solution's files and finish. */
async function referenceReplies(task: Task): Promise<ScriptedReply[]> {
  const dir = await makeScratchDir("bench-ref");
  try {
    await task.files.writeReference!(dir.path);
    const entries = await listDirEntries(dir.path);
    const writes: ScriptedReply[] = [];
    for (const entry of entries) {
      writes.push({ toolCall: { name: "write_file", arguments: { path: entry.path, content: await fs.readFile(path.join(dir.path, entry.path), "utf8") } } });
    }
    return [...writes, { toolCall: { name: "finish", arguments: { summary: "reference applied" } } }];
  } finally {
    await dir.dispose();
  }
}

function timeCommand(command: string, cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], { cwd, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`bench harness: \`${command}\` failed with ${code} on the solved files`))));
  });
}
