// The events of `.clade/archive.jsonl`, one JSON object a line. The archive's state is the replay
// of these events in order; nothing is ever rewritten. Every event carries `v` (the schema version
// it was written with) and `at` (ISO time). A node's `evaluated` status is implied by its first
// finished evaluation (no separate event, so the log cannot disagree with itself).
import type { TokenUsage } from "../../protocol/model";
import type { Cost, EvaluationStopReason, NodeIdentity, NodeOrigin, SessionConfig, SpendKind } from "./types";

export const ARCHIVE_SCHEMA_VERSION = 1;

interface EventBase {
  readonly v: number;
  readonly at: string;
}

export interface ArchiveCreatedEvent extends EventBase {
  readonly type: "archive-created";
  readonly format: "clade-archive";
}

export interface SessionStartedEvent extends EventBase {
  readonly type: "session-started";
  readonly sessionId: string;
  readonly resumes: string | null;
  readonly config: SessionConfig;
}

export interface NodeCreatedEvent extends EventBase {
  readonly type: "node-created";
  readonly nodeId: string;
  readonly parentId: string | null;
  readonly commit: string;
  readonly tree: string;
  readonly identity: NodeIdentity;
  readonly origin: NodeOrigin;
  readonly status: "pending" | "invalid";
  readonly reason: string | null;
  readonly expansionId: string | null;
  readonly cost: Cost | null;
}

export interface NodeStatusEvent extends EventBase {
  readonly type: "node-status";
  readonly nodeId: string;
  readonly from: "pending" | "evaluated" | "invalid";
  readonly to: "evaluated" | "invalid";
  readonly reason: string;
}

export interface EvaluationStartedEvent extends EventBase {
  readonly type: "evaluation-started";
  readonly nodeId: string;
  readonly taskId: string;
  readonly runId: string;
}

export interface EvaluationFinishedEvent extends EventBase {
  readonly type: "evaluation-finished";
  readonly nodeId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly passed: boolean;
  readonly tokens: TokenUsage;
  readonly wallMs: number;
  readonly modelMs: number;
  readonly turns: number;
  readonly stopReason: EvaluationStopReason;
  readonly trajectory: string;
}

/** A started evaluation that will never finish (the engine stopped while it ran). */
export interface EvaluationAbandonedEvent extends EventBase {
  readonly type: "evaluation-abandoned";
  readonly nodeId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly reason: string;
}

export interface NodeAcceptedEvent extends EventBase {
  readonly type: "node-accepted";
  readonly nodeId: string;
  /** The node active before (undo = make it active again). */
  readonly previous: string | null;
}

export interface NodeRevertedEvent extends EventBase {
  readonly type: "node-reverted";
  /** The node that was active and is reverted (undo = accept it again). */
  readonly nodeId: string;
  /** The node active again: the one active before `nodeId` was accepted. */
  readonly restored: string | null;
}

export interface ExpansionStartedEvent extends EventBase {
  readonly type: "expansion-started";
  readonly expansionId: string;
  readonly parentId: string;
}

/** An expansion that ended without a node (a node-created event with its id ends it otherwise). */
export interface ExpansionFinishedEvent extends EventBase {
  readonly type: "expansion-finished";
  readonly expansionId: string;
  readonly parentId: string;
  readonly outcome: "failed" | "abandoned";
  readonly reason: string;
}

/**
 * A run of a version outside any session ("Run Active Agent on a Task", "Evaluate on Suite", `clade
 * run`): kept with the version, never counted in its score (another suite, another task set).
 */
export interface RunRecordedEvent extends EventBase {
  readonly type: "run-recorded";
  readonly nodeId: string;
  readonly suite: string;
  readonly taskId: string;
  readonly runId: string;
  readonly passed: boolean;
  readonly tokens: TokenUsage;
  readonly wallMs: number;
  readonly turns: number;
  readonly stopReason: string;
  readonly trajectory: string;
}

/** Tokens and time spent outside task evaluations and node creation. */
export interface BudgetSpentEvent extends EventBase {
  readonly type: "budget-spent";
  readonly kind: SpendKind;
  readonly nodeId: string | null;
  readonly tokens: TokenUsage;
  readonly wallMs: number;
}

export type ArchiveEvent =
  | ArchiveCreatedEvent
  | SessionStartedEvent
  | NodeCreatedEvent
  | NodeStatusEvent
  | EvaluationStartedEvent
  | EvaluationFinishedEvent
  | EvaluationAbandonedEvent
  | NodeAcceptedEvent
  | NodeRevertedEvent
  | ExpansionStartedEvent
  | ExpansionFinishedEvent
  | BudgetSpentEvent
  | RunRecordedEvent;

export type ArchiveEventType = ArchiveEvent["type"];

/** An event as the archive writes it: `v` and `at` are stamped at append time. */
export type NewArchiveEvent = ArchiveEvent extends infer E ? (E extends ArchiveEvent ? Omit<E, "v" | "at"> : never) : never;

export function stampEvent(event: NewArchiveEvent, at = new Date().toISOString()): ArchiveEvent {
  return { v: ARCHIVE_SCHEMA_VERSION, at, ...event } as ArchiveEvent;
}
