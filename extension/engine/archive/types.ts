// Public records of the archive: what a replay of `.clade/archive.jsonl` produces and what callers
// (evolve loop, CLI, VS Code views) read. Records are immutable: a change replaces the record.
import type { StrategyName } from "../search/types";
import type { TokenUsage } from "../../protocol/model";
import type { AgentStopReason } from "../../protocol/agent";

/** What an evolve session was started with; a resumed session must match it. */
export interface SessionConfig {
  /** `builtin`, a folder path, or `repo:PATH`. */
  readonly suite: string;
  readonly taskSetHash: string;
  /** The suite's task ids: `untestedTasks` of the search view counts against these. */
  readonly taskIds: readonly string[];
  readonly modelHash: string;
  readonly strategy: StrategyName;
  readonly seed: number;
  readonly budgets: SessionBudgets;
}

export interface SessionBudgets {
  /** B: task evaluations allowed. */
  readonly evaluations: number;
  readonly tokens?: number;
  readonly wallMs?: number;
  readonly parallel?: number;
}

export interface SessionRecord {
  /** Sequential: `s0`, `s1`, … */
  readonly id: string;
  readonly config: SessionConfig;
  /** The session this one continues after a restart; `null` for a fresh start. */
  readonly resumes: string | null;
  readonly startedAt: string;
}

/** What a node is, so any two nodes compare on the same tasks, model and seed. */
export interface NodeIdentity {
  readonly scaffoldCommit: string;
  readonly adapterHash: string | null;
  readonly modelHash: string;
  readonly taskSetHash: string;
  readonly seed: number;
}

export type NodeOriginKind = "seed" | "self-edit" | "adapter";

export interface NodeOrigin {
  readonly kind: NodeOriginKind;
  /** The task whose failure the edit targeted. */
  readonly targetTask: string | null;
  /**
   * The diagnosis model's reply (DGM's log summary, improvement proposal, …): any JSON-serializable
   * object (typed `object` so that interfaces such as evolve's Diagnosis fit).
   */
  readonly diagnosis: object | null;
  /** The problem statement the parent agent was given to edit itself. */
  readonly problemStatement: string | null;
}

export type NodeStatus = "pending" | "evaluated" | "invalid";

/** Tokens and wall time spent to make something (an expansion, a diagnosis). */
export interface Cost {
  readonly tokens: TokenUsage;
  readonly wallMs: number;
}

export interface ArchiveNode {
  /** Sequential: `n0` (the root), `n1`, … in creation order. */
  readonly id: string;
  readonly parentId: string | null;
  /** The node's commit in `.clade/agents.git` (branch `node/<id>`). */
  readonly commit: string;
  /** The commit's tree: two nodes with the same tree have the same scaffold (an empty edit). */
  readonly tree: string;
  readonly identity: NodeIdentity;
  readonly origin: NodeOrigin;
  readonly status: NodeStatus;
  readonly statusReason: string | null;
  readonly createdAt: string;
  /** The expansion that made this node, when it was recorded. */
  readonly expansionId: string | null;
  /** What making this node cost (diagnosis + self-edit), when known. */
  readonly cost: Cost | null;
}

export type EvaluationStopReason = AgentStopReason | "build-failed" | "harness-error";

/** One finished agent run of a node on a task. */
export interface EvaluationRecord {
  readonly nodeId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly passed: boolean;
  readonly tokens: TokenUsage;
  readonly wallMs: number;
  readonly modelMs: number;
  readonly turns: number;
  readonly stopReason: EvaluationStopReason;
  /** Path of the trajectory JSONL, as the run reported it. */
  readonly trajectory: string;
  /** When the result was recorded (it started about `wallMs` earlier). */
  readonly finishedAt: string;
}

/** The fields of a RunResult an evaluation keeps (a RunResult is accepted as is). */
export interface EvaluationInput {
  readonly runId: string;
  readonly taskId: string;
  readonly passed: boolean;
  readonly usage: TokenUsage;
  readonly wallMs: number;
  readonly modelMs: number;
  readonly turns: number;
  readonly stopReason: EvaluationStopReason;
  readonly trajectory: string;
}

export interface InFlightEvaluation {
  readonly nodeId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly startedAt: string;
}

export interface InFlightExpansion {
  readonly expansionId: string;
  readonly parentId: string;
  readonly startedAt: string;
}

export interface NodeTotals {
  readonly evaluations: number;
  readonly passed: number;
  readonly failed: number;
  readonly inFlight: number;
  /** Over this node's finished evaluations (not its creation: see ArchiveNode.cost). */
  readonly tokens: TokenUsage;
  readonly wallMs: number;
  readonly modelMs: number;
  /** When its latest evaluation finished (null before any). */
  readonly lastEvaluatedAt: string | null;
}

export interface UsageTotals {
  /** Finished task evaluations (the search budget's `used`). */
  readonly evaluations: number;
  readonly expansions: number;
  /** Evaluations + node creation costs + other recorded spending. */
  readonly tokens: TokenUsage;
  readonly wallMs: number;
}

export type SpendKind = "expansion" | "diagnosis" | "training" | "other";

export interface AddNodeMeta {
  readonly origin: NodeOrigin;
  /** Defaults to the current session's model hash, task-set hash and seed, and the parent's adapter hash. */
  readonly identity?: Partial<Omit<NodeIdentity, "scaffoldCommit">>;
  /** `invalid` records a failed expansion (did not build, lost editing ability). */
  readonly status?: "pending" | "invalid";
  readonly statusReason?: string;
  /** The expansion this node ends (it stops counting as in flight). */
  readonly expansionId?: string;
  readonly cost?: Cost;
}

export type ProblemCode =
  | "torn-line"
  | "bad-line"
  | "newer-version"
  | "rejected-event"
  | "missing-commit"
  | "not-a-commit"
  | "parent-mismatch"
  | "tree-mismatch"
  | "missing-branch"
  | "branch-mismatch"
  | "orphan-branch"
  | "missing-repository";

export interface ArchiveProblem {
  readonly severity: "error" | "warning";
  readonly code: ProblemCode;
  readonly message: string;
  /** 1-based line of archive.jsonl, for log problems. */
  readonly line?: number;
  readonly nodeId?: string;
}
