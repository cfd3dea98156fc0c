// Turns an open archive into the plain records clients read (protocol/archive.ts): the tree of node
// summaries, one node's details with per-task test output, a diff. Read-only; no `vscode`.
import { promises as fs } from "node:fs";
import type { ArchiveTree, NodeDetails, NodeDiffSummary, NodeSummary, SessionSummary, TaskResult } from "../../protocol/archive";
import type { TokenUsage } from "../../protocol/model";
import { failureSignature } from "../train/recipes/failureSignature";
import { clusterFailures } from "../train/recipes/recipes";
import type { ArchiveReader } from "./archiveReader";
import type { ArchiveNode, EvaluationRecord, SessionRecord } from "./types";

const billed = (t: TokenUsage) => t.promptTokens - t.cachedPromptTokens + t.completionTokens;

export function nodeSummary(archive: ArchiveReader, node: ArchiveNode, reverted: ReadonlySet<string>): NodeSummary {
  const totals = archive.totals(node.id);
  const active = archive.activeNode()?.id === node.id;
  return {
    id: node.id, parentId: node.parentId, status: node.status, statusReason: node.statusReason,
    origin: node.origin.kind, targetTask: node.origin.targetTask,
    passed: totals.passed, evaluated: totals.evaluations, score: totals.evaluations ? totals.passed / totals.evaluations : null,
    active, reverted: !active && reverted.has(node.id), running: totals.inFlight,
    modelHash: node.identity.modelHash, adapterHash: node.identity.adapterHash, seed: node.identity.seed,
    tokens: billed(totals.tokens) + (node.cost ? billed(node.cost.tokens) : 0), createdAt: node.createdAt, evaluatedAt: totals.lastEvaluatedAt, userTasks: null,
  };
}

function sessionSummary(record: SessionRecord): SessionSummary {
  const c = record.config;
  return { id: record.id, suite: c.suite, strategy: c.strategy, seed: c.seed, budget: c.budgets.evaluations, resumes: record.resumes, startedAt: record.startedAt };
}

/** The best node: highest score, then most evaluations, then the oldest; none while nothing has passed a task. */
export function bestNode(nodes: readonly NodeSummary[]): string | null {
  let best: NodeSummary | null = null;
  for (const n of nodes) {
    if (!n.score || n.status === "invalid") continue;
    if (!best || n.score > best.score! || (n.score === best.score && n.evaluated > best.evaluated)) best = n;
  }
  return best?.id ?? null;
}

export function emptyTree(workspace: string, running = false): ArchiveTree {
  return { workspace, exists: false, nodes: [], active: null, best: null, session: null, sessions: [], usage: { evaluations: 0, expansions: 0, tokens: 0, wallMs: 0 }, budget: { total: 0, used: 0 }, running, lastActivation: null, asks: [] };
}

export function archiveTree(archive: ArchiveReader, reverted: ReadonlySet<string>, running: boolean): ArchiveTree {
  const nodes = archive.nodes().map((n) => nodeSummary(archive, n, reverted));
  const usage = archive.usage();
  const session = archive.session();
  return {
    workspace: archive.paths.workspace, exists: true, nodes, active: archive.activeNode()?.id ?? null, best: bestNode(nodes),
    session: session ? sessionSummary(session) : null, sessions: archive.sessions().map(sessionSummary),
    usage: { evaluations: usage.evaluations, expansions: usage.expansions, tokens: billed(usage.tokens), wallMs: usage.wallMs },
    budget: archive.searchBudget(), running, lastActivation: archive.lastActivation(), asks: [],
  };
}

export async function nodeDetails(archive: ArchiveReader, id: string, reverted: ReadonlySet<string>): Promise<NodeDetails> {
  const node = archive.requireNode(id);
  const files = await archive.listFiles(id);
  const results = await Promise.all(archive.results(id).map(taskResult));
  const failures = clusterFailures(results.map((r) => ({ task: r.taskId, steps: [], passed: r.passed, signature: failureSignature({ passed: r.passed, stopReason: r.stopReason, test: r.test ?? undefined }) })));
  return {
    summary: nodeSummary(archive, node, reverted), commit: node.commit, identity: { ...node.identity },
    problemStatement: node.origin.problemStatement, diagnosis: node.origin.diagnosis, cost: node.cost,
    results, failures,
    otherRuns: await Promise.all(archive.otherRuns(id).map(async (e) => ({ ...(await taskResult({ ...e, stopReason: e.stopReason as EvaluationRecord["stopReason"], modelMs: 0, finishedAt: e.at })), suite: e.suite, at: e.at }))),
    files: files.map((f) => f.path),
  };
}

async function taskResult(record: EvaluationRecord): Promise<TaskResult> {
  const end = await trajectoryEnd(record.trajectory);
  return {
    taskId: record.taskId, runId: record.runId, passed: record.passed, stopReason: record.stopReason, turns: record.turns,
    tokens: record.tokens, wallMs: record.wallMs, trajectory: record.trajectory, test: end.test, summary: end.summary,
  };
}

const TAIL_BYTES = 256 * 1024;

/** The test output and summary from a trajectory's `end` record (its last line); nulls when unreadable. */
export async function trajectoryEnd(file: string): Promise<{ test: TaskResult["test"]; summary: string | null }> {
  const none = { test: null, summary: null };
  try {
    const handle = await fs.open(file, "r");
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = buffer.toString("utf8").trim().split("\n").reverse();
      for (const line of lines) {
        const record = safeParse(line);
        if (record?.type !== "end") continue;
        const result = (record.result ?? {}) as { test?: { exitCode: number | null; timedOut: boolean; output: string } | null; summary?: string };
        const test = result.test ? { exitCode: result.test.exitCode, timedOut: result.test.timedOut, output: result.test.output } : null;
        return { test, summary: result.summary ?? null };
      }
      return none;
    } finally {
      await handle.close();
    }
  } catch {
    return none;
  }
}

function safeParse(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export async function nodeDiffSummary(archive: ArchiveReader, id: string, against: string | null | undefined, patch: boolean): Promise<NodeDiffSummary> {
  const diff = await archive.diff(id, { against, patch });
  return { nodeId: diff.nodeId, against: diff.against, files: diff.files.map((f) => ({ path: f.path, status: f.status, added: f.added, removed: f.removed })), added: diff.added, removed: diff.removed, patch: diff.patch };
}
