// One agent version on one task, end to end: a fresh sandbox with the task's starting files, the
// agent in its confined process, pass@1 scoring with the hidden tests (installed into a separate
// copy only after the agent stopped), a trajectory on disk and a RunResult.
import { randomUUID } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AgentLimits, AgentTask, ExecResult } from "../../protocol/agent";
import { CladeError } from "../../protocol/errors";
import type { RunResult } from "../../protocol/run";
import { harnessBundle } from "../resources";
import { scoreTask } from "../tasks/scoreTask";
import type { ScoreResult, Task } from "../tasks/types";
import { hiddenTaskPaths } from "./sandbox/hiddenTaskPaths";
import { createSandbox, type Sandbox } from "./sandbox/sandbox";
import { resolveIsolation } from "./sandbox/isolation";
import type { Isolation } from "./sandbox/runCommand";
import { runAgentProcess } from "./agentProcess";
import { prepareWarmAgent, takeWarmAgent } from "./warmAgentProcesses";
import type { LlmProvider } from "./llmProvider";
import { TrajectoryWriter } from "./trajectory";

export const defaultLimits: AgentLimits = { maxTurns: 20, maxTokens: 60_000, timeoutMs: 10 * 60_000, commandTimeoutMs: 60_000, contextTokens: 4096 };

export interface RunTaskOptions {
  task: Task;
  versionId: string;
  /** The built agent version (buildAgent). */
  bundle: string;
  provider: LlmProvider;
  /** Trajectories go to <runsDir>/<versionId>/<taskId>-<runId>.jsonl. */
  runsDir: string;
  limits?: Partial<AgentLimits>;
  isolation?: Isolation;
  signal?: AbortSignal;
  /** Default: a fresh random id. */
  runId?: string;
  /** false: neither take nor leave a process started ahead (warmAgentProcesses.ts). Default true. */
  warm?: boolean;
  /** The test command the agent is given (default: the task's, when the starting files have visible tests). */
  agentTestCommand?: string;
  /** Paths the agent's commands must not see (bwrap), besides the suite's own. */
  hiddenPaths?: readonly string[];
  /** Called with the sandbox's folder when the agent has stopped, before scoring and clean-up (an ask reads its work here). */
  onAgentDone?: (sandboxRoot: string) => Promise<void>;
  /**
   * How the finished work is scored: the task's hidden tests (default), not at all (false: `passed`
   * is false), or the caller's scorer, given the sandbox folder (an ask runs the user's test command).
   */
  score?: boolean | ((sandboxRoot: string, signal?: AbortSignal) => Promise<ScoreResult | null>);
  /** Each trajectory record as it is written (tool calls, results, commands), for a live view. */
  onRecord?: (record: { type: string } & Record<string, unknown>) => void;
}

export async function runTask(options: RunTaskOptions): Promise<RunResult> {
  const { task } = options;
  const runId = options.runId ?? randomUUID().slice(0, 8);
  const limits = { ...defaultLimits, ...options.limits };
  const started = Date.now();
  const trajectory = new TrajectoryWriter(path.join(options.runsDir, options.versionId, `${task.id}-${runId}.jsonl`));
  const harness = harnessBundle();
  // An agent process started ahead for this version (warmAgentProcesses.ts), with its sandbox folder.
  const warm = options.warm === false ? undefined : takeWarmAgent(harness, options.bundle);
  let sandbox: Sandbox;
  try {
    sandbox = await createSandbox({ sourceDir: await startingFiles(task), name: task.id, isolation: options.isolation, network: task.network, hiddenPaths: [...hiddenTaskPaths(task.suite, options.runsDir), ...(options.hiddenPaths ?? [])], reserved: warm?.reserved });
  } catch (error) {
    warm?.started.kill();
    throw error;
  }
  try {
    const agentTask: AgentTask = {
      id: task.id,
      instructions: task.instructions,
      workspace: sandbox.root,
      testCommand: options.agentTestCommand ?? ((await hasVisibleTests(sandbox.root)) ? task.testCommand : undefined),
      allowCommands: task.allowCommands.length > 0,
    };
    const confinement = await resolveIsolation(options.isolation ?? "auto");
    trajectory.write({ type: "start", runId, task: { id: task.id, suite: task.suite, instructions: task.instructions }, versionId: options.versionId, limits, sandbox: { mode: confinement.mode, reason: confinement.reason, network: task.network === true } });
    const run = await runAgentProcess({
      harness,
      bundle: options.bundle,
      started: warm?.started,
      task: agentTask,
      limits,
      provider: options.provider,
      env: sandbox.env(),
      sessionId: `run-${runId}`,
      signal: options.signal,
      exec: (command, timeoutMs, signal) => execForAgent(sandbox, task, agentTask, command, timeoutMs, signal),
      onLlm: (r) => {
        trajectory.llm(r.params, r.result, r.error, r.ms);
        options.onRecord?.({ type: "llm", ms: r.ms, usage: r.result?.usage, error: r.error });
      },
      onEvent: (event) => {
        trajectory.write({ ...event, type: event.type });
        options.onRecord?.({ ...event, type: event.type });
      },
      onExec: (r) => {
        trajectory.write({ type: "exec", command: r.command, result: r.result });
        options.onRecord?.({ type: "exec", command: r.command, result: r.result });
      },
    });
    if (options.onAgentDone && !options.signal?.aborted) await options.onAgentDone(sandbox.root);
    // The next run of this version gets its process started while the hidden tests run.
    if (options.warm !== false && !options.signal?.aborted) void prepareWarmAgent(harness, options.bundle);
    const test = options.signal?.aborted || options.score === false ? null : typeof options.score === "function" ? await options.score(sandbox.root, options.signal) : await score(task, sandbox, options.signal);
    const result: RunResult = {
      runId, taskId: task.id, suite: task.suite, versionId: options.versionId,
      passed: Boolean(test?.passed),
      stopReason: run.failure && run.outcome.stopReason === "agent-error" ? "harness-error" : run.outcome.stopReason,
      summary: run.outcome.summary, turns: run.outcome.turns, usage: run.usage, llmCalls: run.llmCalls, modelMs: run.modelMs,
      wallMs: Date.now() - started,
      test: test && { exitCode: test.exitCode, timedOut: test.timedOut, durationMs: test.durationMs, output: test.output, testsPassed: test.testsPassed, testsFailed: test.testsFailed },
      trajectory: trajectory.file,
      ...(run.failure ? { error: { reason: "agent-error", message: run.failure.slice(0, 4000) } } : {}),
    };
    trajectory.write({ type: "end", result: { ...result, trajectory: undefined } });
    return result;
  } finally {
    await trajectory.close();
    await sandbox.dispose();
  }
}

/** The agent may run the task's test command, and commands starting with an allowed prefix. */
async function execForAgent(sandbox: Sandbox, task: Task, agentTask: AgentTask, command: string, timeoutMs: number, signal: AbortSignal): Promise<ExecResult> {
  const allowed = command === agentTask.testCommand || task.allowCommands.some((prefix) => command === prefix || command.startsWith(`${prefix} `));
  if (!allowed) {
    const what = task.allowCommands.length ? `Allowed: the test command, or commands starting with ${task.allowCommands.join(", ")}.` : "This task allows no commands except its tests.";
    return { exitCode: 126, timedOut: false, output: `Command not allowed. ${what}`, truncated: false, durationMs: 0 };
  }
  const result = await sandbox.run({ command, timeoutMs, maxOutputBytes: 64 * 1024, signal, truncate: "head-and-tail" });
  return { exitCode: result.exitCode, timedOut: result.timedOut, output: result.output, truncated: result.truncated, durationMs: result.durationMs };
}

async function score(task: Task, sandbox: Sandbox, signal: AbortSignal | undefined): Promise<ScoreResult | null> {
  try {
    // The hidden tests run the agent's code: in its sandbox, confined like its own commands. In
    // place: the agent process has exited and its commands were stopped, the sandbox is removed
    // after, and the hidden tests are written through real folders only (prepareWrite).
    return await scoreTask(task, sandbox.root, { signal, isolation: sandbox.isolation, network: task.network, inPlace: true, sandbox });
  } catch (error) {
    if (CladeError.is(error, "cancelled")) return null;
    throw error;
  }
}

/** The task's starting files, written once per content hash into a cache the sandboxes copy from. */
async function startingFiles(task: Task): Promise<string> {
  const dir = path.join(os.tmpdir(), "clade-task-start", (await task.files.contentHash()).slice(0, 24));
  if (existsSync(dir)) return dir;
  const staging = `${dir}.${process.pid}.${randomUUID().slice(0, 6)}`;
  await task.files.writeStart(staging);
  await fs.rename(staging, dir).catch(async () => fs.rm(staging, { recursive: true, force: true }));
  return dir;
}

async function hasVisibleTests(root: string): Promise<boolean> {
  const entries = await fs.readdir(root, { recursive: true });
  return entries.some((name) => /(^|\/)(tests?|__tests__)\/|\.test\.[cm]?[jt]s$|\.spec\.[cm]?[jt]s$/.test(String(name)));
}
