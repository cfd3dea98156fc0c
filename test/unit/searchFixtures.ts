// Hand-built archives for the search tests: frozen nodes (so any attempt by a strategy to mutate a
// node's own results throws in strict mode) behind a plain ArchiveView.

import type { ArchiveView, SearchNode, SearchNodeStatus } from "../../extension/engine/search";

export interface NodeSpec {
  id: string;
  parent?: string | null;
  s?: number;
  f?: number;
  status?: SearchNodeStatus;
  untested?: number;
  evalsInFlight?: number;
  expansionsInFlight?: number;
  /** Expansions that ended without a node (SearchNode.failedExpansions). */
  failedExpansions?: number;
}

export const TASKS = 60;

export function makeNode(spec: NodeSpec): SearchNode {
  const successes = spec.s ?? 0;
  const failures = spec.f ?? 0;
  const evaluationsInFlight = spec.evalsInFlight ?? 0;
  const status = spec.status ?? (successes + failures > 0 ? "evaluated" : "pending");
  return Object.freeze({
    id: spec.id,
    parentId: spec.parent === undefined ? (spec.id === "root" ? null : "root") : spec.parent,
    status,
    successes,
    failures,
    untestedTasks: spec.untested ?? (status === "invalid" ? 0 : TASKS - successes - failures - evaluationsInFlight),
    evaluationsInFlight,
    expansionsInFlight: spec.expansionsInFlight ?? 0,
    ...(spec.failedExpansions ? { failedExpansions: spec.failedExpansions } : {}),
  });
}

export function makeView(specs: NodeSpec[]): ArchiveView & { byId(id: string): SearchNode } {
  const nodes = Object.freeze(specs.map(makeNode));
  return { nodes: () => nodes, byId: (id) => nodes.find((n) => n.id === id) as SearchNode };
}

/** Sum of successes+failures over a view: the budget "used" a consistent caller would report. */
export function usedOf(view: ArchiveView): number {
  return view.nodes().reduce((sum, n) => sum + n.successes + n.failures, 0);
}
