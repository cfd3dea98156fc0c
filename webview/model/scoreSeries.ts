// Points of the score-over-evaluations chart, and the best-so-far step line over them.
import type { GraphTree, ScorePoint } from "../../extension/protocol/webview";

export interface ScoreSeries {
  points: ScorePoint[];
  /** Best score seen up to each point (a step line). */
  best: { evaluation: number; score: number }[];
  maxEvaluation: number;
}

function creationOrder(id: string): number {
  const match = /(\d+)$/.exec(id);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

/**
 * The host's history when it sends one; otherwise one point per evaluated version, placed at the
 * running total of evaluations, in the order the versions' evaluations finished (a version created
 * early may be evaluated late); creation order where that time is unknown.
 */
export function scoreSeries(tree: GraphTree): ScoreSeries {
  let points: ScorePoint[];
  if (tree.history?.length) {
    points = [...tree.history].sort((a, b) => a.evaluation - b.evaluation);
  } else {
    const when = (n: GraphTree["nodes"][number]) => n.evaluatedAt ?? n.createdAt ?? "";
    const ordered = [...tree.nodes].sort((a, b) => when(a).localeCompare(when(b)) || creationOrder(a.id) - creationOrder(b.id));
    let total = 0;
    points = [];
    for (const node of ordered) {
      if (!node.evaluated || node.score === null) continue;
      total += node.evaluated;
      points.push({ evaluation: total, score: node.score, nodeId: node.id });
    }
  }
  const best: ScoreSeries["best"] = [];
  let top = -Infinity;
  for (const point of points) {
    if (point.score > top) {
      top = point.score;
      best.push({ evaluation: point.evaluation, score: top });
    }
  }
  const last = points[points.length - 1]?.evaluation ?? 0;
  const maxEvaluation = Math.max(last, tree.budget?.total ?? 0, 1);
  if (best.length) best.push({ evaluation: Math.max(last, tree.budget?.used ?? 0), score: top });
  return { points, best, maxEvaluation };
}
