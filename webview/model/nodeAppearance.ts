// How a version looks: a colour class by score and a marker class by status. The classes map to
// theme colours only (--vscode-charts-* in media/graph.css), so every theme and high contrast work.
import type { GraphNode } from "../../extension/protocol/webview";

export type ScoreBand = "none" | "low" | "mid" | "high";
export type DisplayStatus = "pending" | "invalid" | "evaluated" | "active" | "reverted";

/** Below a third of the tasks: low (red); below two thirds: mid (yellow); else high (green). */
export function scoreBand(score: number | null): ScoreBand {
  if (score === null || !Number.isFinite(score)) return "none";
  if (score < 1 / 3) return "low";
  if (score < 2 / 3) return "mid";
  return "high";
}

/** One status to show: active wins, then reverted, then the archive status. */
export function displayStatus(node: GraphNode): DisplayStatus {
  if (node.active) return "active";
  if (node.reverted) return "reverted";
  return node.status;
}

/** The best version: highest score, then most evaluations, then the oldest (lowest creation order); none while nothing has passed a task. */
export function bestNodeId(nodes: readonly GraphNode[]): string | null {
  let best: GraphNode | null = null;
  for (const node of nodes) {
    if (!node.score || node.status === "invalid") continue;
    if (!best || node.score > best.score! || (node.score === best.score && node.evaluated > best.evaluated)) best = node;
  }
  return best?.id ?? null;
}

export function nodeClasses(node: GraphNode, bestId: string | null): string[] {
  const classes = ["node", `score-${scoreBand(node.score)}`, `status-${displayStatus(node)}`];
  if (node.active) classes.push("is-active");
  if (node.id === bestId) classes.push("is-best");
  return classes;
}

export function formatScore(node: GraphNode): string {
  return node.evaluated ? `${node.passed}/${node.evaluated} (${Math.round((node.score ?? 0) * 100)}%)` : "not evaluated";
}

/** What a screen reader says for a node. Plain text (set with setAttribute, never parsed as HTML). */
export function nodeLabel(node: GraphNode, bestId: string | null): string {
  const parts = [node.id, displayStatus(node), formatScore(node)];
  if (node.id === bestId) parts.push("best");
  if (node.targetTask) parts.push(`targets ${node.targetTask}`);
  return parts.join(", ");
}
