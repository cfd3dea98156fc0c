// Tidy-tree layout of the archive (d3-hierarchy's Reingold–Tilford `tree`): pure data in, positions
// out, so it is unit-tested without a DOM. Roots grow downwards: x is breadth, y is depth.
import { stratify, tree as tidyTree, type HierarchyPointNode } from "d3-hierarchy";
import type { GraphNode } from "../../extension/protocol/webview";

/** Horizontal distance between neighbouring siblings, and between depths, in SVG units. */
export const NODE_SPACING = 28;
export const LEVEL_SPACING = 64;

export interface PositionedNode {
  node: GraphNode;
  x: number;
  y: number;
  depth: number;
  parentId: string | null;
  childIds: string[];
}

export interface GraphLayout {
  nodes: Map<string, PositionedNode>;
  /** Edges parent → child (only between real nodes). */
  edges: { from: PositionedNode; to: PositionedNode }[];
  /** Root ids in order (several when nodes come without their parent). */
  roots: string[];
  bounds: { minX: number; maxX: number; minY: number; maxY: number };
}

const VIRTUAL_ROOT = "\u0000root";

interface Row {
  id: string;
  parentId: string | null;
  node: GraphNode | null;
}

/** Rows for stratify: one virtual root over every real root (and every node whose parent is missing). */
function rows(nodes: readonly GraphNode[]): Row[] {
  const unique = [...new Map(nodes.map((n) => [n.id, n] as const)).values()];
  const ids = new Set(unique.map((n) => n.id));
  const result: Row[] = [{ id: VIRTUAL_ROOT, parentId: null, node: null }];
  for (const node of unique) {
    const parent = node.parentId !== null && ids.has(node.parentId) && node.parentId !== node.id ? node.parentId : VIRTUAL_ROOT;
    result.push({ id: node.id, parentId: parent, node });
  }
  return breakCycles(result);
}

/** A parent cycle (corrupt data) would make stratify throw: hang such nodes off the virtual root. */
function breakCycles(result: Row[]): Row[] {
  const byId = new Map(result.map((r) => [r.id, r]));
  for (const row of result) {
    const seen = new Set<string>();
    let cursor: Row | undefined = row;
    while (cursor && cursor.parentId !== null) {
      if (seen.has(cursor.id)) {
        cursor.parentId = VIRTUAL_ROOT;
        break;
      }
      seen.add(cursor.id);
      cursor = byId.get(cursor.parentId);
    }
  }
  return result;
}

/** Lays out the tree; children keep the archive's order (creation order of their ids). */
export function layoutGraph(nodes: readonly GraphNode[]): GraphLayout {
  const root = stratify<Row>()
    .id((r) => r.id)
    .parentId((r) => r.parentId)(rows(nodes));
  const laidOut = tidyTree<Row>().nodeSize([NODE_SPACING, LEVEL_SPACING]).separation((a, b) => (a.parent === b.parent ? 1 : 1.5))(root);
  const positioned = new Map<string, PositionedNode>();
  const bounds = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  laidOut.each((p: HierarchyPointNode<Row>) => {
    const node = p.data.node;
    if (!node) return;
    const parentId = p.parent?.data.node ? p.parent.data.id : null;
    const y = (p.depth - 1) * LEVEL_SPACING;
    positioned.set(node.id, { node, x: p.x, y, depth: p.depth - 1, parentId, childIds: (p.children ?? []).map((c) => c.data.id) });
    bounds.minX = Math.min(bounds.minX, p.x);
    bounds.maxX = Math.max(bounds.maxX, p.x);
    bounds.minY = Math.min(bounds.minY, y);
    bounds.maxY = Math.max(bounds.maxY, y);
  });
  if (!positioned.size) Object.assign(bounds, { minX: 0, maxX: 0, minY: 0, maxY: 0 });
  const edges = [...positioned.values()].filter((p) => p.parentId !== null).map((to) => ({ from: positioned.get(to.parentId!)!, to }));
  const roots = (laidOut.children ?? []).map((c) => c.data.id);
  return { nodes: positioned, edges, roots, bounds };
}
