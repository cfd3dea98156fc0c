// What the engine tells its clients about a workspace's archive of agent versions: the tree (one
// summary per node), one node's details, diffs, files, and the result of accept / revert / undo.
// Plain JSON records (no engine classes), shared by the engine, the extension and the webview.
import type { AskSummary, UserTaskScore } from "./ask";
import type { TokenUsage } from "./model";

export type NodeStatusKind = "pending" | "evaluated" | "invalid";

/** How the UI shows a node: its archive status, or `active` / `reverted` on top of it. */
export type NodeDisplayStatus = NodeStatusKind | "active" | "reverted";

export interface NodeSummary {
  id: string;
  parentId: string | null;
  status: NodeStatusKind;
  statusReason: string | null;
  origin: "seed" | "self-edit" | "adapter";
  targetTask: string | null;
  passed: number;
  evaluated: number;
  /** passed / evaluated, or null before any evaluation. */
  score: number | null;
  active: boolean;
  /** Was accepted once and reverted since (and is not active again). */
  reverted: boolean;
  /** Evaluations of this node running now. */
  running: number;
  modelHash: string;
  adapterHash: string | null;
  seed: number;
  /** Tokens of its finished evaluations plus what making it cost. */
  tokens: number;
  createdAt: string;
  /** When its latest evaluation finished (the score chart's order); null before any. */
  evaluatedAt?: string | null;
  /** Its score on the user's own requests (asks), next to its suite score; null before any ask. */
  userTasks?: UserTaskScore | null;
}

export interface SessionSummary {
  id: string;
  suite: string;
  strategy: string;
  seed: number;
  budget: number;
  resumes: string | null;
  startedAt: string;
}

export interface ArchiveUsage {
  evaluations: number;
  expansions: number;
  /** Prompt (uncached) + completion tokens. */
  tokens: number;
  wallMs: number;
}

export interface ArchiveTree {
  workspace: string;
  /** False when the workspace has no `.clade/` archive yet (then everything else is empty). */
  exists: boolean;
  nodes: NodeSummary[];
  /** The active version; null means the root (seed) is in use. */
  active: string | null;
  /** The best evaluated node by score, then evaluations. */
  best: string | null;
  /** The latest session (a resumed session is a new record). */
  session: SessionSummary | null;
  sessions: SessionSummary[];
  usage: ArchiveUsage;
  budget: { total: number; used: number };
  /** Whether a session is running in this engine on this workspace. */
  running: boolean;
  /** What undo would reverse, if anything. */
  lastActivation: { kind: "accept" | "revert"; nodeId: string } | null;
  /** The workspace's asks (`.clade/asks.jsonl`), oldest first; an ask of "seed" belongs to the root node. */
  asks: AskSummary[];
}

export interface TaskResult {
  taskId: string;
  runId: string;
  passed: boolean;
  stopReason: string;
  turns: number;
  tokens: TokenUsage;
  wallMs: number;
  trajectory: string;
  /** From the trajectory's end record, when it is readable. */
  test: { exitCode: number | null; timedOut: boolean; output: string } | null;
  summary: string | null;
}

export interface NodeDetails {
  summary: NodeSummary;
  commit: string;
  identity: { scaffoldCommit: string; adapterHash: string | null; modelHash: string; taskSetHash: string; seed: number };
  problemStatement: string | null;
  diagnosis: object | null;
  cost: { tokens: TokenUsage; wallMs: number } | null;
  results: TaskResult[];
  /** Runs outside sessions (Run Active Agent on a Task, Evaluate on Suite, `clade run`): not in the score. */
  otherRuns?: (TaskResult & { suite: string; at: string })[];
  files: string[];
  /** The version's failed evaluations clustered by signature (failing tests, error class, stop reason), worst first. */
  failures?: FailureClusterSummary[];
}

export interface FailureClusterSummary {
  signature: string;
  failures: number;
  runs: number;
  failureRate: number;
  tasks: string[];
}

export type FileChangeStatus = "added" | "modified" | "deleted" | "renamed" | "copied" | "type-changed";

export interface NodeDiffSummary {
  nodeId: string;
  against: string | null;
  files: { path: string; oldPath?: string; status: string; added: number | null; removed: number | null }[];
  added: number;
  removed: number;
  patch: string | null;
}

export interface WorkspaceParams {
  workspace: string;
}
export interface NodeParams extends WorkspaceParams {
  nodeId: string;
}
export interface DiffParams extends NodeParams {
  /** Compare against this node (default the parent; null: the empty tree). */
  against?: string | null;
  patch?: boolean;
}
export interface FileParams extends NodeParams {
  path: string;
}
export interface ActivationResult {
  /** The active node after the change (null: the root/seed). */
  active: string | null;
  /** The node that was active before. */
  previous: string | null;
}
export interface ArchiveChanged {
  workspace: string;
}
