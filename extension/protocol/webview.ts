// The archive graph webview protocol: every message between the extension host (panel) and the
// webview (dist/webview.js). One source of truth for both sides. The webview starts with `ready`;
// the host answers with a `tree`, pushes a new `tree` on every archive change (live updates), and
// answers each `request` with a `response` carrying the same id.
//
// Everything here crosses a trust boundary (the webview runs code that renders repo data; the host
// reads the archive of a repo), so each side validates what it receives with the parse* functions.

/** Archive status of a version, as the archive records it. */
export type GraphNodeStatus = "pending" | "evaluated" | "invalid";

/** One version in the tree: the fields of the engine's node summary the graph needs. */
export interface GraphNode {
  id: string;
  parentId: string | null;
  status: GraphNodeStatus;
  /** passed / evaluated, or null before the first evaluation. */
  score: number | null;
  passed: number;
  evaluated: number;
  /** The active agent version. */
  active: boolean;
  /** Accepted once, then reverted (history kept). */
  reverted?: boolean;
  /** `seed`, `self-edit`, `adapter`. */
  origin: string;
  targetTask: string | null;
  createdAt?: string;
  /** When its latest evaluation finished: the score chart orders points by it. */
  evaluatedAt?: string;
  /** Why it is invalid (the gate stage and its output's first line), or null. */
  statusReason?: string | null;
}

/** One point of the session's score-over-evaluations chart. */
export interface ScorePoint {
  /** Finished evaluations in the session when this point was recorded (x axis). */
  evaluation: number;
  /** The node's score then (0..1). */
  score: number;
  nodeId: string;
}

export interface GraphTree {
  nodes: GraphNode[];
  /** Session id and budget, for the chart's title and x range. */
  sessionId?: string | null;
  budget?: { used: number; total: number } | null;
  /** Chart points in evaluation order; when absent the webview derives them from the nodes. */
  history?: ScorePoint[];
}

export interface TaskScore {
  taskId: string;
  passed: number;
  evaluated: number;
}

export interface DiffFileSummary {
  path: string;
  added: number;
  removed: number;
}

export interface GraphNodeDetails {
  node: GraphNode;
  tasks: TaskScore[];
  diff: { against: string | null; added: number; removed: number; files: DiffFileSummary[] } | null;
  /** Tokens spent evaluating this version, and making it (diagnosis + self-edit). */
  tokens: { evaluation: number; creation: number };
  /** The diagnosis that motivated this version (plain text: rendered as text, never as HTML). */
  diagnosis: string | null;
  problemStatement: string | null;
}

/** Requests the webview sends; the host answers each with the result type. */
export interface GraphRequestMap {
  tree: { params: Record<string, never>; result: GraphTree };
  details: { params: { nodeId: string }; result: GraphNodeDetails };
  accept: { params: { nodeId: string }; result: { active: string | null } };
  revert: { params: { nodeId: string }; result: { active: string | null } };
  showDiff: { params: { nodeId: string }; result: null };
}
export type GraphMethod = keyof GraphRequestMap;
export const GRAPH_METHODS: readonly GraphMethod[] = ["tree", "details", "accept", "revert", "showDiff"];

export type WebviewRequest = { [M in GraphMethod]: { type: "request"; id: number; method: M; params: GraphRequestMap[M]["params"] } }[GraphMethod];

/** Webview → host. */
export type WebviewToHost = { type: "ready" } | WebviewRequest;

export interface ResponseError {
  message: string;
  fix?: string;
}

/** Host → webview. */
export type HostToWebview =
  | { type: "tree"; tree: GraphTree }
  | { type: "response"; id: number; ok: true; result: unknown }
  | { type: "response"; id: number; ok: false; error: ResponseError }
  /** Reveal and select a node (e.g. from the Archive tree view). */
  | { type: "select"; nodeId: string };

/** Node ids come from the archive (`n12`); anything else is refused before it reaches a request. */
export const MAX_ID_LENGTH = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

/** Validates a message from the webview (the host's side). Undefined: drop it. */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === "ready") return { type: "ready" };
  if (value.type !== "request" || !isCount(value.id)) return undefined;
  const method = value.method;
  if (typeof method !== "string" || !GRAPH_METHODS.includes(method as GraphMethod)) return undefined;
  if (method === "tree") return { type: "request", id: value.id, method, params: {} };
  const params = value.params;
  if (!isRecord(params) || !isId(params.nodeId)) return undefined;
  return { type: "request", id: value.id, method: method as Exclude<GraphMethod, "tree">, params: { nodeId: params.nodeId } };
}

const STATUSES: readonly GraphNodeStatus[] = ["pending", "evaluated", "invalid"];

/** Validates one node; a malformed node is dropped rather than breaking the whole tree. */
export function parseGraphNode(value: unknown): GraphNode | undefined {
  if (!isRecord(value) || !isId(value.id)) return undefined;
  if (value.parentId !== null && !isId(value.parentId)) return undefined;
  if (!STATUSES.includes(value.status as GraphNodeStatus)) return undefined;
  const score = typeof value.score === "number" && Number.isFinite(value.score) ? Math.min(1, Math.max(0, value.score)) : null;
  return {
    id: value.id,
    parentId: value.parentId as string | null,
    status: value.status as GraphNodeStatus,
    score,
    passed: isCount(value.passed) ? value.passed : 0,
    evaluated: isCount(value.evaluated) ? value.evaluated : 0,
    active: value.active === true,
    reverted: value.reverted === true,
    origin: typeof value.origin === "string" ? value.origin : "unknown",
    targetTask: typeof value.targetTask === "string" ? value.targetTask : null,
    ...(typeof value.createdAt === "string" ? { createdAt: value.createdAt } : {}),
    ...(typeof value.evaluatedAt === "string" ? { evaluatedAt: value.evaluatedAt } : {}),
    ...(typeof value.statusReason === "string" ? { statusReason: value.statusReason } : {}),
  };
}

export function parseGraphTree(value: unknown): GraphTree | undefined {
  if (!isRecord(value) || !Array.isArray(value.nodes)) return undefined;
  const nodes = value.nodes.map(parseGraphNode).filter((n): n is GraphNode => n !== undefined);
  const history = Array.isArray(value.history)
    ? value.history.filter((p): p is ScorePoint => isRecord(p) && isCount(p.evaluation) && typeof p.score === "number" && isId(p.nodeId))
    : undefined;
  const budget = isRecord(value.budget) && isCount(value.budget.used) && isCount(value.budget.total) ? { used: value.budget.used, total: value.budget.total } : null;
  return { nodes, sessionId: isId(value.sessionId) ? value.sessionId : null, budget, ...(history ? { history } : {}) };
}

/** Validates a message from the host (the webview's side). Undefined: drop it. */
export function parseHostMessage(value: unknown): HostToWebview | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === "tree") {
    const tree = parseGraphTree(value.tree);
    return tree ? { type: "tree", tree } : undefined;
  }
  if (value.type === "select") return isId(value.nodeId) ? { type: "select", nodeId: value.nodeId } : undefined;
  if (value.type !== "response" || !isCount(value.id)) return undefined;
  if (value.ok === true) return { type: "response", id: value.id, ok: true, result: value.result };
  const error = isRecord(value.error) ? value.error : {};
  return {
    type: "response",
    id: value.id,
    ok: false,
    error: { message: typeof error.message === "string" ? error.message : "The request failed.", ...(typeof error.fix === "string" ? { fix: error.fix } : {}) },
  };
}
