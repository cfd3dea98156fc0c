// The validation gate, before any benchmark spend: the child builds and type-checks, its own unit
// tests pass, and it still solves the T0 ("still works") tasks. A child that fails is kept as an
// invalid node with the reason — failed expansions count for the search.
import type { RunResult } from "../../protocol/run";
import { buildAgent } from "../agent/buildAgent";
import type { LlmProvider } from "../agent/llmProvider";
import { runTask } from "../agent/runTask";
import { runScaffoldTests } from "../agent/scaffoldTests";
import type { Task } from "../tasks/types";

export type GateStage = "build" | "unit-tests" | "t0";

export type GateResult =
  | { ok: true; bundle: string; t0: RunResult[] }
  | { ok: false; stage: GateStage; reason: string; t0?: RunResult[] };

export interface GateOptions {
  scaffoldDir: string;
  versionId: string;
  buildCacheDir: string;
  runsDir: string;
  provider: LlmProvider;
  /** The T0 tasks; all must pass (default) or at least `minT0Passes`. */
  t0Tasks: readonly Task[];
  minT0Passes?: number;
  isolation?: "process" | "bwrap";
  signal?: AbortSignal;
}

export async function validateChild(options: GateOptions): Promise<GateResult> {
  const build = await buildAgent(options.scaffoldDir, { cacheDir: options.buildCacheDir, signal: options.signal });
  if (!build.ok) return { ok: false, stage: "build", reason: `${build.stage} failed:\n${build.message.slice(0, 4000)}` };
  const tests = await runScaffoldTests(options.scaffoldDir, { signal: options.signal });
  if (!tests.passed) return { ok: false, stage: "unit-tests", reason: `its unit tests fail:\n${tests.output.slice(-3000)}` };
  const t0: RunResult[] = [];
  for (const task of options.t0Tasks) {
    t0.push(await runTask({ task, versionId: options.versionId, bundle: build.bundle, provider: options.provider, runsDir: options.runsDir, isolation: options.isolation, signal: options.signal }));
  }
  const passes = t0.filter((r) => r.passed).length;
  const needed = options.minT0Passes ?? options.t0Tasks.length;
  if (passes < needed) return { ok: false, stage: "t0", reason: `it passed ${passes} of ${t0.length} T0 tasks (needs ${needed})`, t0 };
  return { ok: true, bundle: build.bundle, t0 };
}
