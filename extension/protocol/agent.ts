// The contract between an agent version (the scaffold in extension/seed-agent/ and every archive
// version derived from it) and the harness that runs it. The harness owns the process boundary: a
// scaffold only ever sees an AgentHost. A scaffold keeps its own copy of these types (src/host.ts),
// because it is built on its own from the archive; the runner checks the shapes at run time.
import type { ChatParams, ChatResult } from "./model";

export interface AgentTask {
  id: string;
  /** What the agent is asked to do. */
  instructions: string;
  /** Absolute path of the sandbox copy of the task's files (the agent's working directory). */
  workspace: string;
  /** The command that runs the tests visible to the agent, if the task has any. */
  testCommand?: string;
  /** Whether the run-command tool is offered. */
  allowCommands: boolean;
}

export interface AgentLimits {
  maxTurns: number;
  /** Prompt + completion tokens over the whole run. */
  maxTokens: number;
  /** Wall clock for the whole run. */
  timeoutMs: number;
  /** Per command started through exec(). */
  commandTimeoutMs: number;
  /** Context size the model host gives this run's sequence. */
  contextTokens: number;
}

export interface ExecResult {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  truncated: boolean;
  durationMs: number;
}

/** Trajectory events a scaffold reports; the harness adds the LLM calls itself. */
export type AgentEvent =
  | { type: "tool-call"; turn: number; name: string; arguments: unknown }
  | { type: "tool-result"; turn: number; name: string; ok: boolean; output: string; truncatedFrom?: number }
  | { type: "note"; turn: number; text: string }
  /** A new attempt starts after `turn`: the previous attempt's finish failed the task's tests (`feedback`: what the agent was told). */
  | { type: "attempt"; turn: number; attempt: number; feedback: string };

export interface AgentHost {
  llm(params: ChatParams): Promise<ChatResult>;
  /** Runs a shell command in the sandbox (own process group, timeout, output cap, scrubbed env). */
  exec(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  record(event: AgentEvent): void;
  readonly limits: AgentLimits;
  readonly signal: AbortSignal;
}

export type AgentStopReason = "finished" | "turn-limit" | "token-limit" | "timeout" | "cancelled" | "model-error" | "agent-error";

export interface AgentOutcome {
  stopReason: AgentStopReason;
  /** The agent's own summary when it called finish. */
  summary?: string;
  turns: number;
}

/** What a scaffold's entry module exports. */
export interface AgentModule {
  runAgent(task: AgentTask, host: AgentHost): Promise<AgentOutcome>;
}

/** IPC between the harness (agent process) and the engine. Plain JSON over process.send. */
export type HarnessToEngine =
  | { kind: "ready" }
  | { kind: "llm"; id: number; params: ChatParams }
  | { kind: "exec"; id: number; command: string; timeoutMs?: number }
  | { kind: "event"; event: AgentEvent }
  | { kind: "done"; outcome: AgentOutcome }
  | { kind: "failed"; message: string; stack?: string };

export type EngineToHarness =
  | { kind: "start"; task: AgentTask; limits: AgentLimits }
  | { kind: "llm-result"; id: number; result: ChatResult }
  | { kind: "exec-result"; id: number; result: ExecResult }
  | { kind: "error"; id: number; message: string; reason: string }
  | { kind: "cancel" };
