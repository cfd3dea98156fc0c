// Implementation: the parent agent itself works on a copy of its own scaffold, with the diagnosis as
// its task. Its "run the tests" tool runs the scaffold's own unit tests. The result is a folder; an
// unchanged folder is an empty diff, which the caller records and discards.
import { randomUUID } from "node:crypto";
import type { AgentLimits, AgentTask, ExecResult } from "../../protocol/agent";
import type { TokenUsage } from "../../protocol/model";
import { runAgentProcess } from "../agent/agentProcess";
import { hashScaffold } from "../agent/buildAgent";
import type { LlmProvider } from "../agent/llmProvider";
import { createSandbox, type Sandbox } from "../agent/sandbox/sandbox";
import { runScaffoldTests } from "../agent/scaffoldTests";
import { TrajectoryWriter } from "../agent/trajectory";
import { defaultLimits } from "../agent/runTask";
import { harnessBundle } from "../resources";
import { selfEditInstructions, type Diagnosis } from "./diagnosis";

/** What the agent calls to run its own unit tests; the engine runs them (the agent process cannot). */
export const SCAFFOLD_TEST_COMMAND = "clade-scaffold-tests";

export interface ImplementOptions {
  parentScaffoldDir: string;
  parentBundle: string;
  diagnosis: Diagnosis;
  provider: LlmProvider;
  /** Where this self-edit's trajectory is written. */
  trajectoryFile: string;
  limits?: Partial<AgentLimits>;
  signal?: AbortSignal;
}

export interface ImplementResult {
  /** The edited scaffold (inside a sandbox: call dispose() once it is archived). */
  dir: string;
  changed: boolean;
  stopReason: string;
  usage: TokenUsage;
  wallMs: number;
  trajectory: string;
  failure?: string;
  dispose(): Promise<void>;
}

export async function implement(options: ImplementOptions): Promise<ImplementResult> {
  const started = Date.now();
  const sandbox = await createSandbox({ sourceDir: options.parentScaffoldDir, name: "self-edit" });
  const trajectory = new TrajectoryWriter(options.trajectoryFile);
  try {
    const task: AgentTask = { id: "self-edit", instructions: selfEditInstructions(options.diagnosis), workspace: sandbox.root, testCommand: SCAFFOLD_TEST_COMMAND, allowCommands: false };
    const limits = { ...defaultLimits, ...options.limits };
    trajectory.write({ type: "start", task: { id: task.id, instructions: task.instructions }, limits, diagnosis: options.diagnosis });
    const run = await runAgentProcess({
      harness: harnessBundle(),
      bundle: options.parentBundle,
      task,
      limits,
      provider: options.provider,
      env: sandbox.env(),
      sessionId: `self-edit-${randomUUID().slice(0, 8)}`,
      signal: options.signal,
      exec: (command, timeoutMs, signal) => execScaffoldTests(sandbox, command, timeoutMs, signal),
      onLlm: (r) => trajectory.llm(r.params, r.result, r.error, r.ms),
      onEvent: (event) => trajectory.write({ ...event }),
      onExec: (r) => trajectory.write({ type: "exec", command: r.command, result: r.result }),
    });
    const changed = (await hashScaffold(sandbox.root)) !== (await hashScaffold(options.parentScaffoldDir));
    trajectory.write({ type: "end", outcome: run.outcome, changed, usage: run.usage });
    return {
      dir: sandbox.root, changed, stopReason: run.outcome.stopReason, usage: run.usage, wallMs: Date.now() - started,
      trajectory: trajectory.file, failure: run.failure, dispose: () => sandbox.dispose(),
    };
  } catch (error) {
    await sandbox.dispose();
    throw error;
  } finally {
    await trajectory.close();
  }
}

async function execScaffoldTests(sandbox: Sandbox, command: string, timeoutMs: number, signal: AbortSignal): Promise<ExecResult> {
  if (command !== SCAFFOLD_TEST_COMMAND) {
    return { exitCode: 126, timedOut: false, output: "Command not allowed: only the unit tests can run here.", truncated: false, durationMs: 0 };
  }
  const result = await runScaffoldTests(sandbox.root, { timeoutMs, signal });
  return { exitCode: result.passed ? 0 : 1, timedOut: false, output: result.output, truncated: false, durationMs: result.durationMs };
}
