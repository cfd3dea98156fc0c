import { describe, expect, it } from "vitest";
import { ArchiveIndex, createRng, createStrategy, dgmParentProbabilities, dgmParentSelector, stagedNeed, stagedTarget, STAGED_EVALUATION_DEFAULTS } from "../../extension/engine/search";
import { makeNode, makeView, usedOf } from "./searchFixtures";

// root: 12/60 (α 0.2) with working children a, b, c, f and invalid d → n = 4
// a: 6/10 (α 0.6), one working child e and one invalid g → n = 1
// b: 3/10 (α 0.3), no children; c: 10/10 (α 1, excluded by the paper); f: pending (no results)
// e: 27/60 (α 0.45)
const archive = [
  { id: "root", parent: null, s: 12, f: 48 },
  { id: "a", s: 6, f: 4 },
  { id: "b", s: 3, f: 7 },
  { id: "c", s: 10, f: 0 },
  { id: "d", status: "invalid" as const },
  { id: "e", parent: "a", s: 27, f: 33 },
  { id: "f" },
  { id: "g", parent: "a", status: "invalid" as const },
];

/** The paper's formula, written out independently of the implementation. */
function expected(entries: [string, number, number][]): Map<string, number> {
  const weights = entries.map(([id, alpha, n]) => [id, 1 / (1 + Math.exp(-10 * (alpha - 0.5))) / (1 + n)] as const);
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  return new Map(weights.map(([id, w]) => [id, w / total]));
}

describe("dgm parent selection (score_child_prop)", () => {
  const index = new ArchiveIndex().update(makeView(archive));

  it("matches s_i·h_i / Σ s_j·h_j with λ = 10, α₀ = 0.5, excluding α = 1", () => {
    const want = expected([["root", 0.2, 4], ["a", 0.6, 1], ["b", 0.3, 0], ["e", 0.45, 0]]);
    const got = dgmParentProbabilities(index);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [id, p] of want) expect(got.get(id)).toBeCloseTo(p, 12);
  });

  it("keeps α = 1 when configured as the public code does", () => {
    const want = expected([["root", 0.2, 4], ["a", 0.6, 1], ["b", 0.3, 0], ["c", 1, 0], ["e", 0.45, 0]]);
    const got = dgmParentProbabilities(index, { lambda: 10, alpha0: 0.5, excludePerfect: false });
    for (const [id, p] of want) expect(got.get(id)).toBeCloseTo(p, 12);
  });

  it("falls back to perfect nodes when they are the only candidates", () => {
    const only = new ArchiveIndex().update(makeView([{ id: "root", parent: null, s: 10, f: 0 }]));
    expect(dgmParentProbabilities(only).get("root")).toBe(1);
  });

  it("draws k parents with replacement at the formula's frequencies", () => {
    const selector = dgmParentSelector();
    const rng = createRng(7);
    const counts = new Map<string, number>();
    const draws = 40_000;
    let wrongLength = 0;
    for (let i = 0; i < draws / 4; i++) {
      const parents = selector.select(index, 4, rng);
      if (parents.length !== 4) wrongLength++;
      for (const id of parents) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(wrongLength).toBe(0);
    for (const [id, p] of dgmParentProbabilities(index)) {
      const sigma = Math.sqrt((p * (1 - p)) / draws);
      expect(Math.abs((counts.get(id) ?? 0) / draws - p)).toBeLessThan(4 * sigma);
    }
    expect(counts.has("c") || counts.has("d") || counts.has("f") || counts.has("g")).toBe(false);
  });
});

describe("dgm staged evaluation and generations", () => {
  const options = STAGED_EVALUATION_DEFAULTS; // 10, then 50 more at ≥ 40%

  it("unlocks the second stage at ≥ 40% on the first and stops below", () => {
    expect(stagedTarget(makeNode({ id: "x", s: 2, f: 3 }), options)).toBe(10);
    expect(stagedTarget(makeNode({ id: "x", s: 4, f: 6 }), options)).toBe(60);
    expect(stagedTarget(makeNode({ id: "x", s: 3, f: 7 }), options)).toBe(10);
    expect(stagedTarget(makeNode({ id: "x", s: 4, f: 8 }), options)).toBe(60); // stage 2 under way
    expect(stagedTarget(makeNode({ id: "root", parent: null }), options)).toBe(60); // the initial agent: full set
    expect(stagedNeed(makeNode({ id: "x", s: 4, f: 6, evalsInFlight: 20 }), options)).toBe(30);
    expect(stagedNeed(makeNode({ id: "x", status: "invalid" }), options)).toBe(0);
  });

  it("caps any node's staged target at 20% of the budget, so a small budget still expands", () => {
    expect(stagedTarget(makeNode({ id: "root", parent: null }), options, 20)).toBe(4);
    expect(stagedTarget(makeNode({ id: "x", s: 4, f: 6 }), options, 100)).toBe(20);
    expect(stagedTarget(makeNode({ id: "root", parent: null }), options, 300)).toBe(60); // DGM's numbers from B = 300 on
    expect(stagedTarget(makeNode({ id: "root", parent: null }), options, 3)).toBe(1);
    const dgm = createStrategy("dgm");
    const rng = createRng(1);
    // B = 20: the root gets 4 evaluations (it used to get all 20), then it is expanded.
    expect(dgm.next(makeView([{ id: "root", parent: null }]), { total: 20, used: 0 }, rng)).toEqual({ kind: "evaluate", nodeId: "root", tasks: 4 });
    expect(dgm.next(makeView([{ id: "root", parent: null, s: 1, f: 3 }]), { total: 20, used: 4 }, rng)).toEqual({ kind: "expand", nodeId: "root" });
    expect(dgm.finalPick(makeView([{ id: "root", parent: null, s: 1, f: 3 }]))).toBe("root"); // its (capped) staged evaluation is complete
  });

  it("evaluates the root fully, then expands k parents, then evaluates each child", () => {
    const dgm = createStrategy("dgm", { generational: { parentsPerGeneration: 2 } });
    const rng = createRng(1);
    const fresh = makeView([{ id: "root", parent: null }]);
    expect(dgm.next(fresh, { total: 1000, used: 0 }, rng)).toEqual({ kind: "evaluate", nodeId: "root", tasks: 60 });
    const evaluated = makeView([{ id: "root", parent: null, s: 12, f: 48 }]);
    expect(dgm.next(evaluated, { total: 1000, used: 60 }, rng)).toEqual({ kind: "expand", nodeId: "root" });
    const oneRunning = makeView([{ id: "root", parent: null, s: 12, f: 48, expansionsInFlight: 1 }]);
    expect(dgm.next(oneRunning, { total: 1000, used: 60 }, rng)).toEqual({ kind: "expand", nodeId: "root" });
    const twoRunning = makeView([{ id: "root", parent: null, s: 12, f: 48, expansionsInFlight: 2 }]);
    expect(dgm.next(twoRunning, { total: 1000, used: 60 }, rng)).toEqual({ kind: "wait" });
    const children = makeView([{ id: "root", parent: null, s: 12, f: 48, expansionsInFlight: 1 }, { id: "k1" }]);
    expect(dgm.next(children, { total: 1000, used: 60 }, rng)).toEqual({ kind: "evaluate", nodeId: "k1", tasks: 10 });
    const spent = makeView([{ id: "root", parent: null, s: 12, f: 48 }, { id: "k1" }]);
    expect(dgm.next(spent, { total: 65, used: 60 }, rng)).toEqual({ kind: "evaluate", nodeId: "k1", tasks: 5 });
    expect(dgm.next(spent, { total: 60, used: 60 }, rng)).toEqual({ kind: "stop" });
  });

  it("final pick: highest accuracy first (not the public code's ascending sort), finished stages only", () => {
    const dgm = createStrategy("dgm");
    const view = makeView([
      { id: "root", parent: null, s: 12, f: 48 },
      { id: "low", s: 1, f: 9 },
      { id: "high", s: 33, f: 27 },
      { id: "midStage", s: 9, f: 1, evalsInFlight: 5 }, // 90% so far but not finished
      { id: "unlocked", s: 5, f: 5 }, // passed stage 1, stage 2 not started: not finished
    ]);
    expect(usedOf(view)).toBe(150);
    expect(dgm.finalPick(view)).toBe("high");
  });
});
