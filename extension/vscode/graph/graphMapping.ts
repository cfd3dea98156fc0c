// Maps the engine's archive records (protocol/archive.ts) to what the graph webview shows
// (protocol/webview.ts). Pure; no `vscode` import.
import type { ArchiveTree, NodeDetails, NodeDiffSummary, NodeSummary } from "../../protocol/archive";
import type { TokenUsage } from "../../protocol/model";
import type { GraphNode, GraphNodeDetails, GraphTree, TaskScore } from "../../protocol/webview";

export function toGraphNode(n: NodeSummary): GraphNode {
  return {
    id: n.id, parentId: n.parentId, status: n.status, score: n.score, passed: n.passed, evaluated: n.evaluated,
    active: n.active, reverted: n.reverted, origin: n.origin, targetTask: n.targetTask, createdAt: n.createdAt, ...(n.evaluatedAt ? { evaluatedAt: n.evaluatedAt } : {}), statusReason: n.statusReason,
  };
}

export function toGraphTree(tree: ArchiveTree): GraphTree {
  return { nodes: tree.nodes.map(toGraphNode), sessionId: tree.session?.id ?? null, budget: tree.exists ? tree.budget : null };
}

function totalTokens(usage: TokenUsage | undefined): number {
  return usage ? usage.promptTokens - usage.cachedPromptTokens + usage.completionTokens : 0;
}

/** A diagnosis object as readable text: its string fields as `key: value` paragraphs, else JSON. */
export function diagnosisText(diagnosis: object | null): string | null {
  if (!diagnosis) return null;
  const entries = Object.entries(diagnosis).filter(([, v]) => typeof v === "string" && v.trim());
  if (entries.length) return entries.map(([k, v]) => `${k}: ${String(v).trim()}`).join("\n\n");
  return JSON.stringify(diagnosis, null, 2);
}

export function toGraphDetails(details: NodeDetails, diff: NodeDiffSummary | null): GraphNodeDetails {
  const tasks = new Map<string, TaskScore>();
  for (const r of details.results) {
    const t = tasks.get(r.taskId) ?? { taskId: r.taskId, passed: 0, evaluated: 0 };
    t.evaluated += 1;
    if (r.passed) t.passed += 1;
    tasks.set(r.taskId, t);
  }
  return {
    node: toGraphNode(details.summary),
    tasks: [...tasks.values()].sort((a, b) => a.taskId.localeCompare(b.taskId)),
    diff: diff && details.summary.parentId !== null
      ? { against: diff.against, added: diff.added, removed: diff.removed, files: diff.files.map((f) => ({ path: f.path, added: f.added ?? 0, removed: f.removed ?? 0 })) }
      : null,
    tokens: { evaluation: details.results.reduce((sum, r) => sum + totalTokens(r.tokens), 0), creation: totalTokens(details.cost?.tokens) },
    diagnosis: diagnosisText(details.diagnosis),
    problemStatement: details.problemStatement,
  };
}
