// Draws a laid-out archive as SVG: all edges as one path, one small group per node (a circle, a
// status mark, rings for active/best, a label; the focus and selection rings are single shared
// circles moved by GraphView). Simple shapes only, so 1,000 nodes render in one
// frame; labels are hidden by CSS when zoomed out (graph.css `.labels-hidden`).
import type { GraphLayout, PositionedNode } from "../model/graphLayout";
import { displayStatus, nodeClasses, nodeLabel } from "../model/nodeAppearance";
import { svgElement } from "./dom";

export const NODE_RADIUS = 8;

function edgePath(layout: GraphLayout): string {
  const parts: string[] = [];
  for (const { from, to } of layout.edges) {
    const midY = (from.y + to.y) / 2;
    parts.push(`M${from.x},${from.y}C${from.x},${midY} ${to.x},${midY} ${to.x},${to.y}`);
  }
  return parts.join("");
}

function nodeGroup(p: PositionedNode, bestId: string | null): SVGGElement {
  const { node } = p;
  const group = svgElement("g", {
    class: nodeClasses(node, bestId).join(" "),
    transform: `translate(${p.x},${p.y})`,
    "data-id": node.id,
    role: "treeitem",
    tabindex: -1,
    "aria-level": p.depth + 1,
    "aria-label": nodeLabel(node, bestId),
    "aria-selected": "false",
  });
  if (node.id === bestId) group.appendChild(svgElement("circle", { class: "ring ring-best", r: NODE_RADIUS + 6 }));
  if (node.active) group.appendChild(svgElement("circle", { class: "ring ring-active", r: NODE_RADIUS + 3 }));
  group.appendChild(svgElement("circle", { class: "dot", r: NODE_RADIUS }));
  const status = displayStatus(node);
  if (status === "invalid" || status === "reverted") {
    const d = NODE_RADIUS * 0.55;
    group.appendChild(svgElement("path", { class: "mark", d: status === "invalid" ? `M${-d},${-d}L${d},${d}M${d},${-d}L${-d},${d}` : `M${-d},0L${d},0` }));
  }
  group.appendChild(svgElement("text", { class: "label", y: NODE_RADIUS + 13, "text-anchor": "middle" }, node.id));
  return group;
}

export interface RenderedGraph {
  root: SVGGElement;
  elements: Map<string, SVGGElement>;
}

/** Builds the SVG content of a layout, detached (the caller swaps it in with one DOM operation). */
export function renderGraph(layout: GraphLayout, bestId: string | null): RenderedGraph {
  const root = svgElement("g", { class: "graph" });
  root.appendChild(svgElement("path", { class: "edges", d: edgePath(layout) }));
  const nodes = svgElement("g", { class: "nodes" });
  const elements = new Map<string, SVGGElement>();
  for (const p of layout.nodes.values()) {
    const group = nodeGroup(p, bestId);
    elements.set(p.node.id, group);
    nodes.appendChild(group);
  }
  root.appendChild(nodes);
  return { root, elements };
}
