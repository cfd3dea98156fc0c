// Asking the agent to work on the user's own code: the request, its live events, its result, and
// the records of `.clade/asks.jsonl` (each ask is a run of one version, kept with its outcome).
import type { AgentLimits } from "./agent";
import type { ModelSpec, TokenUsage, ToolCall } from "./model";
import type { RunResult } from "./run";
import type { SandboxMode } from "./sandbox";

export interface AskParams {
  progressToken?: string;
  workspace: string;
  /** What the user wants done. */
  instruction: string;
  /** Shell command that defines "done" (run before and after, in copies; exit 0 = pass). */
  testCommand?: string;
  /** Archive node to ask; default the active version (the seed agent until one is accepted). */
  node?: string;
  /**
   * Command prefixes the agent may run besides the test command (default: `node` and the test
   * command's first word, as the built-in and tasks.yaml suites allow).
   */
  allowCommands?: string[];
  /** Files the user has open or selected (workspace-relative): named to the agent as where to look. */
  files?: string[];
  /** Load this model first (unless it is the one loaded). */
  model?: ModelSpec;
  /** SCRIPTED provider: replay these replies instead of a model (deterministic tests). */
  scripted?: ({ toolCall: Omit<ToolCall, "id"> } | { text: string })[];
  limits?: Partial<AgentLimits>;
  isolation?: SandboxMode;
  sampling?: { temperature?: number; seed?: number };
  /** Write the change into the workspace when the run ends with one (and the test command, if any, passes). */
  apply?: boolean;
}

export interface AskTests {
  passed: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The tail of the output. */
  output: string;
  testsPassed?: number;
  testsFailed?: number;
}

export interface AskFileChange {
  path: string;
  kind: "added" | "modified" | "deleted";
  binary: boolean;
  added: number;
  removed: number;
}

/** proposed: a change waits for Apply / Discard; no-change: the agent changed nothing; failed: the run broke (model, harness). */
export type AskOutcome = "proposed" | "no-change" | "failed";
export type AskResolution = "applied" | "discarded";

export interface AskResult {
  askId: string;
  versionId: string;
  workspace: string;
  instruction: string;
  testCommand: string | null;
  outcome: AskOutcome;
  /** Set when the ask was applied or discarded (apply: true applies at once). */
  resolution: AskResolution | null;
  /** When apply was asked for and not done: why (tests fail, conflicts). */
  notApplied?: string;
  conflicts?: { path: string; why: string }[];
  run: RunResult;
  testsBefore: AskTests | null;
  testsAfter: AskTests | null;
  changes: AskFileChange[];
  /** git-style unified diff of the change. */
  patch: string;
  /** `.clade/asks/<askId>`: the patch, the files before and after, the record. */
  dir: string;
  /** Milliseconds from the start of the ask to the agent's first tool call (null when it made none). */
  firstToolCallMs: number | null;
}

/** One live step of an ask, sent while it runs (tool call, tool result, command, model call). */
export interface AskEvent {
  askId: string;
  /** ms since the ask started. */
  atMs: number;
  record: { type: string } & Record<string, unknown>;
}

/** A line of `.clade/asks.jsonl`. */
export type AskRecord =
  | {
      v: 1;
      type: "ask";
      at: string;
      askId: string;
      versionId: string;
      instruction: string;
      testCommand: string | null;
      files: string[];
      /** The workspace's git HEAD when the ask started, and whether it had uncommitted changes. */
      head: string | null;
      dirty: boolean;
      outcome: AskOutcome;
      runId: string;
      stopReason: string;
      turns: number;
      tokens: TokenUsage;
      wallMs: number;
      modelMs: number;
      testsBefore: boolean | null;
      testsAfter: boolean | null;
      changedFiles: number;
      trajectory: string;
    }
  | { v: 1; type: "ask-resolved"; at: string; askId: string; resolution: AskResolution; files?: string[] }
  | { v: 1; type: "ask-saved"; at: string; askId: string; taskId: string; tasksFile: string };

/** An ask as `clade asks list` and the views show it: the record with its resolution. */
export interface AskSummary {
  askId: string;
  at: string;
  versionId: string;
  instruction: string;
  testCommand: string | null;
  outcome: AskOutcome;
  resolution: AskResolution | null;
  testsBefore: boolean | null;
  testsAfter: boolean | null;
  changedFiles: number;
  tokens: TokenUsage;
  wallMs: number;
  trajectory: string;
  savedAs: string | null;
}

/** The archive node a run of `versionId` belongs to: "seed" (no version accepted yet) is the root. */
export function versionNode(versionId: string, rootId: string | null | undefined): string {
  return versionId === "seed" && rootId ? rootId : versionId;
}

/** A version's score on the user's own requests, next to its suite score. */
export interface UserTaskScore {
  asks: number;
  applied: number;
  /** Applied asks whose test command passed after the change. */
  appliedPassing: number;
}
