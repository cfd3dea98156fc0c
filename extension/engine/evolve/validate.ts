// The validation gate, before any benchmark spend: the candidate builds and type-checks, its own
// unit tests pass, and it is not worse than its parent on a few of the suite's tasks (the gate
// tasks, `chooseGateTasks`). A candidate that fails is kept as an invalid node with the reason —
// failed expansions count for the search.
//
// "Not worse than its parent": the candidate must pass at least as many gate tasks as its parent
// does. The parent's result on a gate task is its recorded one (its first evaluation on that task,
// else its own gate run when it was a candidate, else an earlier comparison run: gateLog.ts); where
// it has none, the parent is run on that task now, with the same limits (and the result recorded,
// so its next candidates reuse it). An unknown result is never counted as a failure: that would let
// a candidate that fails everything pass against an untested parent (the root has no gate runs).
// Parent runs stop as soon as they cannot change the verdict, and none are made when the candidate
// passed every gate task.
import type { AgentLimits } from "../../protocol/agent";
import type { RunResult } from "../../protocol/run";
import { buildAgent } from "../agent/buildAgent";
import type { LlmProvider } from "../agent/llmProvider";
import { runTask } from "../agent/runTask";
import { runScaffoldTests } from "../agent/scaffoldTests";
import type { Task } from "../tasks/types";
import type { SandboxMode } from "../../protocol/sandbox";

export type GateStage = "build" | "unit-tests" | "tasks";

/** Whose gate run: the candidate's, or its parent's (for the comparison). */
export type GateRole = "candidate" | "parent";

/** Gate tasks when SessionOptions.gateTasks is not given. */
export const DEFAULT_GATE_TASKS = 3;

/** What the gate's task stage did: the gate log's verdict and the progress message show it. */
export interface GateTaskRecord {
  /** The gate tasks; empty when none ran (`summary` says so and why). */
  readonly tasks: readonly string[];
  readonly candidate: readonly { taskId: string; passed: boolean }[];
  /** The parent's results the comparison used: recorded ones, and runs made by this gate. */
  readonly parent: readonly { taskId: string; passed: boolean; source: "recorded" | "run" }[];
  readonly candidatePassed: number | null;
  readonly parentPassed: number | null;
  readonly summary: string;
}

export type GateResult =
  | { ok: true; bundle: string; record: GateTaskRecord }
  | { ok: false; stage: GateStage; reason: string; record?: GateTaskRecord };

export interface GateParent {
  /** The parent's node id (its comparison runs are recorded under it). */
  readonly id: string;
  /** The parent's built bundle, to run it on a gate task it has no result on. */
  readonly bundle: string;
  /** The parent's recorded result on a task (an evaluation or an earlier gate run); undefined: none. */
  recorded(taskId: string): boolean | undefined;
}

export interface GateOptions {
  scaffoldDir: string;
  versionId: string;
  buildCacheDir: string;
  runsDir: string;
  provider: LlmProvider;
  /** The gate tasks (chooseGateTasks). Empty: no task stage, and the record says so (`noTasksReason`). */
  tasks: readonly Task[];
  /** Why `tasks` is empty, for the record (e.g. "gateTasks is 0"). */
  noTasksReason?: string;
  parent: GateParent;
  /** Agent limits of the gate's runs (candidate and parent): the session's, as for its evaluations. */
  limits?: Partial<AgentLimits>;
  isolation?: SandboxMode;
  signal?: AbortSignal;
  /** Called after each gate task run, before the next starts (the session counts and records it). */
  onRun?(role: GateRole, result: RunResult): Promise<void> | void;
}

/**
 * The gate tasks: `count` of the suite's tasks, chosen deterministically from the session's fixed
 * (seeded) task order — its T0 ("still works") tasks first, then, for suites with too few or none
 * (repo suites, Polyglot, untiered yaml), the suite's other tasks from the end of that order (the
 * ones a node is evaluated on last, so gate runs rarely repeat its staged evaluation).
 */
export function chooseGateTasks(tasksInSessionOrder: readonly Task[], count: number): Task[] {
  if (count <= 0) return [];
  const t0 = tasksInSessionOrder.filter((t) => t.tier === "T0");
  const others = tasksInSessionOrder.filter((t) => t.tier !== "T0").reverse();
  return [...t0, ...others].slice(0, count);
}

export async function validateChild(options: GateOptions): Promise<GateResult> {
  const build = await buildAgent(options.scaffoldDir, { cacheDir: options.buildCacheDir, signal: options.signal });
  if (!build.ok) return { ok: false, stage: "build", reason: `${build.stage} failed:\n${build.message.slice(0, 4000)}` };
  const tests = await runScaffoldTests(options.scaffoldDir, { signal: options.signal });
  if (!tests.passed) return { ok: false, stage: "unit-tests", reason: `its unit tests fail:\n${tests.output.slice(-3000)}` };
  const record = await taskStage(options, build.bundle);
  if (record.candidatePassed !== null && record.parentPassed !== null && record.candidatePassed < record.parentPassed) return { ok: false, stage: "tasks", reason: record.summary, record };
  return { ok: true, bundle: build.bundle, record };
}

async function taskStage(options: GateOptions, bundle: string): Promise<GateTaskRecord> {
  const { tasks, parent } = options;
  if (!tasks.length) {
    const summary = `no gate task ran (${options.noTasksReason ?? "the session gave none"}): gated on build, type-check and unit tests only`;
    return { tasks: [], candidate: [], parent: [], candidatePassed: null, parentPassed: null, summary };
  }
  const run = async (role: GateRole, task: Task, versionId: string, versionBundle: string): Promise<boolean> => {
    const result = await runTask({ task, versionId, bundle: versionBundle, provider: options.provider, runsDir: options.runsDir, limits: options.limits, isolation: options.isolation, signal: options.signal });
    await options.onRun?.(role, result);
    return result.passed;
  };
  const candidate: { taskId: string; passed: boolean }[] = [];
  for (const task of tasks) candidate.push({ taskId: task.id, passed: await run("candidate", task, options.versionId, bundle) });
  const passed = candidate.filter((r) => r.passed).length;
  const ids = tasks.map((t) => t.id).join(", ");
  if (passed === tasks.length) {
    return { tasks: tasks.map((t) => t.id), candidate, parent: [], candidatePassed: passed, parentPassed: null, summary: `it passed all ${passed} gate tasks (${ids}); its parent cannot do better` };
  }
  const parentResults: { taskId: string; passed: boolean; source: "recorded" | "run" }[] = [];
  const unknown: Task[] = [];
  for (const task of tasks) {
    const known = parent.recorded(task.id);
    if (known === undefined) unknown.push(task);
    else parentResults.push({ taskId: task.id, passed: known, source: "recorded" });
  }
  let parentPassed = parentResults.filter((r) => r.passed).length;
  for (let i = 0; i < unknown.length; i++) {
    // Stop once the rest cannot change the verdict: the parent already passed more, or cannot.
    if (parentPassed > passed || parentPassed + (unknown.length - i) <= passed) break;
    const ok = await run("parent", unknown[i], parent.id, parent.bundle);
    parentResults.push({ taskId: unknown[i].id, passed: ok, source: "run" });
    parentPassed += Number(ok);
  }
  const ran = parentResults.filter((r) => r.source === "run").length;
  const verdict = passed >= parentPassed ? "not worse than its parent" : "worse than its parent";
  const summary = `it passed ${passed} of ${tasks.length} gate tasks (${ids}); its parent ${parent.id} passed ${parentPassed} of the ${parentResults.length} it has results on (${ran} run now): ${verdict}`;
  return { tasks: tasks.map((t) => t.id), candidate, parent: parentResults, candidatePassed: passed, parentPassed, summary };
}
