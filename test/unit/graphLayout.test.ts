// Layout, keyboard navigation, chart series and zoom math of the archive graph webview (pure code).
import { describe, expect, it } from "vitest";
import type { GraphNode, GraphTree } from "../../extension/protocol/webview";
import { LEVEL_SPACING, NODE_SPACING, layoutGraph } from "../../webview/model/graphLayout";
import { navigate } from "../../webview/model/keyboardNavigation";
import { scoreSeries } from "../../webview/model/scoreSeries";
import { fitTransform, zoomAt } from "../../webview/model/viewTransform";
// @ts-expect-error plain ESM fixture shared with the browser benchmark (no types)
import { syntheticTree } from "../e2e/graphFixtures.mjs";

const node = (id: string, parentId: string | null, extra: Partial<GraphNode> = {}): GraphNode => ({
  id, parentId, status: "evaluated", score: 0.5, passed: 1, evaluated: 2, active: false, origin: "self-edit", targetTask: null, ...extra,
});

describe("layoutGraph", () => {
  const tree = syntheticTree(1000, { seed: 3 }) as GraphTree;
  const layout = layoutGraph(tree.nodes);

  it("places every node, each child one level below its parent", () => {
    expect(layout.nodes.size).toBe(1000);
    expect(layout.edges).toHaveLength(999);
    for (const { from, to } of layout.edges) expect(to.y - from.y).toBe(LEVEL_SPACING);
    expect(layout.roots).toEqual(["n0"]);
  });

  it("never overlaps two nodes at the same depth", () => {
    const byDepth = new Map<number, number[]>();
    for (const p of layout.nodes.values()) byDepth.set(p.depth, [...(byDepth.get(p.depth) ?? []), p.x]);
    expect(byDepth.size).toBeGreaterThan(3);
    for (const xs of byDepth.values()) {
      xs.sort((a, b) => a - b);
      for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(NODE_SPACING - 1e-9);
    }
  });

  it("keeps nodes whose parent is missing, duplicates and parent cycles without throwing", () => {
    const l = layoutGraph([node("a", null), node("b", "ghost"), node("c", "d"), node("d", "c"), node("a", null), node("e", "a")]);
    expect([...l.nodes.keys()].sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(l.roots.length).toBeGreaterThanOrEqual(2);
    expect(l.nodes.get("e")!.parentId).toBe("a");
  });

  it("lays out an empty archive", () => {
    expect(layoutGraph([]).nodes.size).toBe(0);
  });
});

describe("keyboard navigation follows tree edges", () => {
  const layout = layoutGraph([node("n0", null), node("n1", "n0"), node("n2", "n0"), node("n3", "n1")]);
  it("Up/Down/Left/Right/Home", () => {
    expect(navigate(layout, null, "ArrowDown")).toBe("n0");
    expect(navigate(layout, "n0", "ArrowDown")).toBe("n1");
    expect(navigate(layout, "n1", "ArrowRight")).toBe("n2");
    expect(navigate(layout, "n2", "ArrowRight")).toBe("n2");
    expect(navigate(layout, "n2", "ArrowLeft")).toBe("n1");
    expect(navigate(layout, "n1", "ArrowDown")).toBe("n3");
    expect(navigate(layout, "n3", "ArrowUp")).toBe("n1");
    expect(navigate(layout, "n0", "ArrowUp")).toBe("n0");
    expect(navigate(layout, "n3", "Home")).toBe("n0");
  });
});

describe("scoreSeries", () => {
  it("derives points from the nodes in creation order and a best-so-far step line", () => {
    const s = scoreSeries({ nodes: [node("n0", null, { score: 0.25, passed: 1, evaluated: 4 }), node("n2", "n0", { score: 0.1, passed: 1, evaluated: 10 }), node("n1", "n0", { score: 0.5, passed: 1, evaluated: 2 }), node("n3", "n1", { score: null, evaluated: 0, status: "pending" })] });
    expect(s.points.map((p) => [p.nodeId, p.evaluation])).toEqual([["n0", 4], ["n1", 6], ["n2", 16]]);
    expect(s.best.map((b) => b.score)).toEqual([0.25, 0.5, 0.5]);
    expect(s.maxEvaluation).toBe(16);
  });
  it("orders the points by when each version's evaluations finished, not when it was made", () => {
    const s = scoreSeries({
      nodes: [
        node("n0", null, { score: 0.25, passed: 1, evaluated: 4, createdAt: "2026-01-01T00:00:00Z", evaluatedAt: "2026-01-01T00:01:00Z" }),
        node("n1", "n0", { score: 0.5, passed: 1, evaluated: 2, createdAt: "2026-01-01T00:02:00Z", evaluatedAt: "2026-01-01T00:09:00Z" }),
        node("n2", "n0", { score: 0.75, passed: 3, evaluated: 4, createdAt: "2026-01-01T00:03:00Z", evaluatedAt: "2026-01-01T00:05:00Z" }),
      ],
    });
    expect(s.points.map((p) => [p.nodeId, p.evaluation])).toEqual([["n0", 4], ["n2", 8], ["n1", 10]]);
  });
  it("uses the host's history when given", () => {
    const s = scoreSeries({ nodes: [], history: [{ evaluation: 5, score: 1, nodeId: "n1" }, { evaluation: 2, score: 0.5, nodeId: "n0" }], budget: { used: 5, total: 20 } });
    expect(s.points.map((p) => p.evaluation)).toEqual([2, 5]);
    expect(s.maxEvaluation).toBe(20);
  });
});

describe("zoom and pan", () => {
  it("zoomAt keeps the pointer's graph point fixed; fit centres the bounds", () => {
    const t = zoomAt({ k: 1, x: 10, y: 20 }, 2, 100, 100);
    expect((100 - t.x) / t.k).toBeCloseTo((100 - 10) / 1);
    const f = fitTransform({ minX: -100, maxX: 100, minY: 0, maxY: 50 }, 400, 300);
    expect(f.x).toBeCloseTo(200);
    expect(-100 * f.k + f.x).toBeGreaterThanOrEqual(32 - 1e-9);
    // A root and one child in a large panel: drawn large, not small in the middle (issue 15.8).
    expect(fitTransform({ minX: 0, maxX: 0, minY: 0, maxY: 80 }, 1000, 700).k).toBe(2.5);
  });
});
