// The record of one agent run on one task: what evaluation, the archive, training and the UI read.
import type { AgentStopReason } from "./agent";
import type { TokenUsage } from "./model";

export interface RunResult {
  runId: string;
  taskId: string;
  suite: string;
  /** Archive node (version) that ran; "seed" for the built-in seed agent. */
  versionId: string;
  /** pass@1 by the hidden tests. */
  passed: boolean;
  stopReason: AgentStopReason | "build-failed" | "harness-error";
  summary?: string;
  turns: number;
  usage: TokenUsage;
  /** Model calls made, and the time spent waiting for them. */
  llmCalls: number;
  modelMs: number;
  wallMs: number;
  test: { exitCode: number | null; timedOut: boolean; durationMs: number; output: string; testsPassed?: number; testsFailed?: number } | null;
  /** Absolute path of the trajectory JSONL. */
  trajectory: string;
  error?: { reason: string; message: string };
}
