// Shape checks for one line of archive.jsonl. Hand-written (not a schema library) because a replay
// reads ~100,000 lines in a few hundred milliseconds; each check returns the first problem found.
import { ARCHIVE_SCHEMA_VERSION, type ArchiveEvent, type ArchiveEventType } from "./events";

type Obj = Record<string, unknown>;
type Spec = readonly (readonly [string, (x: unknown) => boolean])[];
type Check = (o: Obj) => string | null;

const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x) && x >= 0;

/** A check over a fixed field list, built once (this runs for every line of a replay). */
function fields(spec: Record<string, (x: unknown) => boolean>): Check {
  const list: Spec = Object.entries(spec);
  return (o) => {
    for (let i = 0; i < list.length; i++) if (!list[i][1](o[list[i][0]])) return `field "${list[i][0]}" is missing or has the wrong type`;
    return null;
  };
}

const str = (x: unknown): boolean => typeof x === "string";
const id = (x: unknown): boolean => typeof x === "string" && x.length > 0;
const strOrNull = (x: unknown): boolean => x === null || typeof x === "string";
const bool = (x: unknown): boolean => typeof x === "boolean";
const num = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x);
const tokens = (x: unknown): boolean => isObj(x) && isCount(x.promptTokens) && isCount(x.cachedPromptTokens) && isCount(x.completionTokens);
const cost = (x: unknown): boolean => isObj(x) && tokens(x.tokens) && isCount(x.wallMs);
const costOrNull = (x: unknown): boolean => x === null || cost(x);
const oneOf = (...values: string[]) => {
  const set = new Set(values);
  return (x: unknown): boolean => typeof x === "string" && set.has(x);
};
const originKind = oneOf("seed", "self-edit", "adapter");

function identity(x: unknown): boolean {
  if (!isObj(x)) return false;
  return id(x.scaffoldCommit) && strOrNull(x.adapterHash) && str(x.modelHash) && str(x.taskSetHash) && num(x.seed);
}

function origin(x: unknown): boolean {
  if (!isObj(x)) return false;
  return originKind(x.kind) && strOrNull(x.targetTask) && (x.diagnosis === null || typeof x.diagnosis === "object") && strOrNull(x.problemStatement);
}

function sessionConfig(x: unknown): boolean {
  if (!isObj(x) || !isObj(x.budgets) || !Array.isArray(x.taskIds)) return false;
  return str(x.suite) && str(x.taskSetHash) && str(x.modelHash) && str(x.strategy) && num(x.seed) && isCount(x.budgets.evaluations) && x.taskIds.every(str);
}

const CHECKS: Record<ArchiveEventType, Check> = {
  "archive-created": fields({ format: oneOf("clade-archive") }),
  "session-started": fields({ sessionId: id, resumes: strOrNull, config: sessionConfig }),
  "node-created": fields({
    nodeId: id, parentId: strOrNull, commit: id, tree: id, identity, origin, status: oneOf("pending", "invalid"),
    reason: strOrNull, expansionId: strOrNull, cost: costOrNull,
  }),
  "node-status": fields({ nodeId: id, from: oneOf("pending", "evaluated", "invalid"), to: oneOf("evaluated", "invalid"), reason: str }),
  "evaluation-started": fields({ nodeId: id, taskId: id, runId: id }),
  "evaluation-finished": fields({ nodeId: id, taskId: id, runId: id, passed: bool, tokens, wallMs: isCount, modelMs: isCount, turns: isCount, stopReason: str, trajectory: str }),
  "evaluation-abandoned": fields({ nodeId: id, taskId: id, runId: id, reason: str }),
  "node-accepted": fields({ nodeId: id, previous: strOrNull }),
  "node-reverted": fields({ nodeId: id, restored: strOrNull }),
  "expansion-started": fields({ expansionId: id, parentId: id }),
  "expansion-finished": fields({ expansionId: id, parentId: id, outcome: oneOf("failed", "abandoned"), reason: str }),
  "run-recorded": fields({ nodeId: id, suite: str, taskId: id, runId: id, passed: bool, tokens, wallMs: isCount, turns: isCount, stopReason: str, trajectory: str }),
  "budget-spent": fields({ kind: oneOf("expansion", "diagnosis", "training", "other"), nodeId: strOrNull, tokens, wallMs: isCount }),
};

export type ParsedLine =
  | { readonly ok: true; readonly event: ArchiveEvent }
  | { readonly ok: false; readonly newer: boolean; readonly message: string };

/** Parses and shape-checks one line (without its newline). */
export function parseEventLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, newer: false, message: `not JSON (${(error as Error).message})` };
  }
  return checkEvent(value);
}

/** Shape-checks an already parsed value. */
export function checkEvent(value: unknown): ParsedLine {
  if (!isObj(value)) return { ok: false, newer: false, message: "not a JSON object" };
  if (typeof value.v !== "number" || !Number.isInteger(value.v) || value.v < 1) return { ok: false, newer: false, message: 'no schema version "v"' };
  if (value.v > ARCHIVE_SCHEMA_VERSION) {
    return { ok: false, newer: true, message: `written by a newer Clade (schema v${value.v}; this one reads up to v${ARCHIVE_SCHEMA_VERSION})` };
  }
  if (typeof value.at !== "string") return { ok: false, newer: false, message: 'no time "at"' };
  const check = typeof value.type === "string" && Object.hasOwn(CHECKS, value.type) ? CHECKS[value.type as ArchiveEventType] : undefined;
  if (!check) return { ok: false, newer: false, message: `unknown event type ${JSON.stringify(value.type)}` };
  const problem = check(value);
  return problem ? { ok: false, newer: false, message: `${value.type}: ${problem}` } : { ok: true, event: value as unknown as ArchiveEvent };
}
