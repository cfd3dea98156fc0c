// Colour and status mapping of graph nodes, and that graph.css colours them with theme variables only.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import type { GraphNode } from "../../extension/protocol/webview";
import { bestNodeId, displayStatus, nodeClasses, nodeLabel, scoreBand } from "../../webview/model/nodeAppearance";

const node = (id: string, extra: Partial<GraphNode> = {}): GraphNode => ({
  id, parentId: null, status: "evaluated", score: 0.5, passed: 1, evaluated: 2, active: false, origin: "seed", targetTask: null, ...extra,
});

describe("node appearance", () => {
  it("bands scores into theme colour classes", () => {
    expect([null, 0, 0.2, 0.34, 0.5, 0.67, 1].map(scoreBand)).toEqual(["none", "low", "low", "mid", "mid", "high", "high"]);
    expect(scoreBand(Number.NaN)).toBe("none");
  });

  it("shows active over reverted over the archive status", () => {
    expect(displayStatus(node("a", { active: true, reverted: true }))).toBe("active");
    expect(displayStatus(node("a", { reverted: true }))).toBe("reverted");
    expect(displayStatus(node("a", { status: "pending" }))).toBe("pending");
    expect(displayStatus(node("a", { status: "invalid" }))).toBe("invalid");
  });

  it("picks the best by score, then evaluations, never an invalid node", () => {
    const nodes = [node("n0", { score: 0.5, evaluated: 2 }), node("n1", { score: 0.5, evaluated: 6 }), node("n2", { score: 1, status: "invalid" }), node("n3", { score: null, evaluated: 0 })];
    expect(bestNodeId(nodes)).toBe("n1");
    expect(bestNodeId([])).toBeNull();
    // Nothing passed yet: no version is "best" (a root at 0% is not).
    expect(bestNodeId([node("n0", { score: 0, evaluated: 1 })])).toBeNull();
  });

  it("classes and labels", () => {
    expect(nodeClasses(node("n1", { active: true, score: 0.9 }), "n1")).toEqual(["node", "score-high", "status-active", "is-active", "is-best"]);
    expect(nodeLabel(node("n1", { targetTask: "t3" }), "n1")).toBe("n1, evaluated, 1/2 (50%), best, targets t3");
  });

  it("graph.css styles every class with --vscode-* theme colours, no literal colours", () => {
    const css = fs.readFileSync("media/graph.css", "utf8");
    for (const cls of ["score-none", "score-low", "score-mid", "score-high", "status-pending", "status-invalid", "status-reverted", "ring-active", "ring-best", "focus-ring", "selection-ring", "labels-hidden"]) {
      expect(css, cls).toContain(`.${cls}`);
    }
    expect(css).toMatch(/score-low \.dot \{ fill: var\(--vscode-charts-red\)/);
    expect(css).not.toMatch(/#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/i);
  });
});
