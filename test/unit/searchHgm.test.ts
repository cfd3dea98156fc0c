import { describe, expect, it } from "vitest";
import { ArchiveIndex, bestMeanPick, betaQuantile, createRng, createStrategy, hgmShouldExpand, hgmTemperature, PessimisticScore, type BetaSampler, type SearchAction } from "../../extension/engine/search";
import { makeView, type NodeSpec } from "./searchFixtures";

const rng = createRng(3);

/** A tree past the initial root expansions: root + 5 children (one invalid). */
function tree(extra: Partial<Record<string, Partial<NodeSpec>>> = {}): NodeSpec[] {
  const base: NodeSpec[] = [
    { id: "root", parent: null, s: 4, f: 16 },
    { id: "a", s: 6, f: 4 },
    { id: "b", s: 1, f: 9 },
    { id: "c", status: "invalid" },
    { id: "d", parent: "a", s: 3, f: 2 },
    { id: "e", parent: "d", s: 2, f: 0 },
  ];
  return base.map((spec) => ({ ...spec, ...extra[spec.id] }));
}

describe("hgm expand-vs-evaluate", () => {
  it("expands the root 5 times (running expansions counted) before anything else", () => {
    const hgm = createStrategy("hgm");
    for (let started = 0; started < 5; started++) {
      const view = makeView([{ id: "root", parent: null, expansionsInFlight: started }]);
      expect(hgm.next(view, { total: 800, used: 0 }, rng)).toEqual({ kind: "expand", nodeId: "root" });
    }
    const fiveRunning = makeView([{ id: "root", parent: null, expansionsInFlight: 5 }]);
    expect(hgm.next(fiveRunning, { total: 800, used: 0 }, rng)).toEqual({ kind: "evaluate", nodeId: "root", tasks: 1 });
  });

  it("expands iff N^0.6 ≥ |T|, N counting running evaluations and |T| running expansions", () => {
    // |T| = 6 nodes; 6^(1/0.6) = 19.8, so N = 20 expands and N = 19 evaluates.
    expect(hgmShouldExpand(20, 6, 0.6)).toBe(true);
    expect(hgmShouldExpand(19, 6, 0.6)).toBe(false);
    const hgm = createStrategy("hgm");
    const used = 4 + 16 + 6 + 4 + 1 + 9 + 3 + 2 + 2; // 47 finished evaluations
    expect(hgmShouldExpand(47, 6, 0.6)).toBe(true); // 47^0.6 = 10.1
    expect(hgm.next(makeView(tree()), { total: 800, used }, rng).kind).toBe("expand");
    // 5 running expansions make |T| = 11 > 10.1: evaluate instead.
    const busy = makeView(tree({ root: { expansionsInFlight: 5 } }));
    expect(hgm.next(busy, { total: 800, used }, rng).kind).toBe("evaluate");
    // 6 running evaluations make N = 53, 53^0.6 = 10.8 < 11: still evaluate; 8 make 55^0.6 = 11.05: expand.
    const six = makeView(tree({ root: { expansionsInFlight: 5, evalsInFlight: 6 } }));
    expect(hgm.next(six, { total: 800, used }, rng).kind).toBe("evaluate");
    const eight = makeView(tree({ root: { expansionsInFlight: 5, evalsInFlight: 8 } }));
    expect(hgm.next(eight, { total: 800, used }, rng).kind).toBe("expand");
  });

  it("evaluates one task at a time, only nodes with untested tasks, never invalid ones", () => {
    const hgm = createStrategy("hgm");
    const view = makeView(tree({ root: { expansionsInFlight: 20 }, a: { untested: 0 }, b: { untested: 0 }, d: { untested: 0 } }));
    for (let i = 0; i < 50; i++) expect(hgm.next(view, { total: 800, used: 47 }, rng)).toEqual({ kind: "evaluate", nodeId: expect.stringMatching(/^(root|e)$/), tasks: 1 });
  });

  it("stops when the budget is spent and waits while work runs", () => {
    const hgm = createStrategy("hgm");
    expect(hgm.next(makeView(tree()), { total: 47, used: 47 }, rng)).toEqual({ kind: "stop" });
    expect(hgm.next(makeView(tree({ e: { evalsInFlight: 1 } })), { total: 48, used: 47 }, rng)).toEqual({ kind: "wait" });
  });
});

describe("hgm Thompson sampling", () => {
  function recorder(): { calls: [number, number][]; sampler: BetaSampler } {
    const calls: [number, number][] = [];
    return { calls, sampler: (a, b) => (calls.push([a, b]), a / (a + b)) };
  }

  it("expansion draws from Beta(τ(1 + S_clade), τ(1 + F_clade)) with τ = B / b", () => {
    const { calls, sampler } = recorder();
    const hgm = createStrategy("hgm", { hgmSampler: sampler });
    // B = 100, 47 finished + 3 running → b = 50, τ = 2.
    const action = hgm.next(makeView(tree({ e: { evalsInFlight: 3 } })), { total: 100, used: 47 }, rng);
    expect(action.kind).toBe("expand");
    const tau = 2;
    expect(hgmTemperature(100, 50)).toBe(tau);
    // Clades: root 16/31 pooled over all, a 11/6 (a + d + e), b 1/9, d 5/2, e 2/0; c is invalid.
    const clades = [[16, 31], [11, 6], [1, 9], [5, 2], [2, 0]];
    expect(calls).toEqual(clades.map(([s, f]) => [tau * (1 + s), tau * (1 + f)]));
    // With the mean as the "sample", the best clade mean wins: e (3/1 scaled) over d (6/3) and a.
    expect(action).toEqual({ kind: "expand", nodeId: "e" });
  });

  it("evaluation draws from Beta(τ(1 + S_own), τ(1 + F_own)) among nodes with untested tasks", () => {
    const { calls, sampler } = recorder();
    const hgm = createStrategy("hgm", { hgmSampler: sampler });
    const view = makeView(tree({ root: { expansionsInFlight: 20 }, b: { untested: 0 } }));
    const action = hgm.next(view, { total: 200, used: 47 }, rng); // b = 153, τ = 200/153
    const tau = 200 / 153;
    const own = [[4, 16], [6, 4], [3, 2], [2, 0]]; // root, a, d, e (b fully tested, c invalid)
    expect(calls).toEqual(own.map(([s, f]) => [tau * (1 + s), tau * (1 + f)]));
    expect(action).toEqual({ kind: "evaluate", nodeId: "e", tasks: 1 });
  });

  it("uses τ = 1 when the temperature schedule is off", () => {
    const { calls, sampler } = recorder();
    createStrategy("hgm", { hgmSampler: sampler, hgm: { temperature: false } }).next(makeView(tree()), { total: 100, used: 47 }, rng);
    expect(calls[0]).toEqual([17, 32]);
  });

  it("expansions concentrate on the clade with the better pooled record", () => {
    const hgm = createStrategy("hgm");
    const specs: NodeSpec[] = [
      { id: "root", parent: null, s: 10, f: 50 },
      { id: "good", s: 5, f: 15 }, // weak itself, strong descendants
      { id: "bad", s: 12, f: 8 }, // strong itself, weak descendants
      { id: "g1", parent: "good", s: 30, f: 10 },
      { id: "b1", parent: "bad", s: 2, f: 38 },
      { id: "b2", parent: "bad", status: "invalid" },
    ];
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const action = hgm.next(makeView(specs), { total: 4000, used: 170 }, rng) as SearchAction & { nodeId: string };
      expect(action.kind).toBe("expand");
      counts.set(action.nodeId, (counts.get(action.nodeId) ?? 0) + 1);
    }
    expect((counts.get("good") ?? 0) + (counts.get("g1") ?? 0)).toBeGreaterThan(1900);
    expect(counts.get("bad") ?? 0).toBeLessThan(counts.get("good") ?? 0);
  });
});

describe("hgm and expansions that fail without making a node", () => {
  // A failed expansion (empty diff, nothing to fix, failed self-edit) makes no node: |T| and every
  // statistic stay as they were, so HGM used to draw the same parent forever (here: the root,
  // still in its 5 initial expansions).
  it("stops expanding a parent after 3 failed expansions and evaluates instead", () => {
    const hgm = createStrategy("hgm");
    let failed = 0;
    const actions: string[] = [];
    for (let i = 0; i < 30; i++) {
      const action = hgm.next(makeView([{ id: "root", parent: null, s: 1, f: 3, failedExpansions: failed }]), { total: 100, used: 4 }, rng);
      actions.push(action.kind);
      if (action.kind === "expand") failed++; // it ends without a node
      else expect(action).toEqual({ kind: "evaluate", nodeId: "root", tasks: 1 });
    }
    expect(actions.filter((a) => a === "expand")).toHaveLength(3);
    // Nothing left to evaluate either: stop rather than expand the exhausted parent again.
    expect(hgm.next(makeView([{ id: "root", parent: null, s: 1, f: 3, untested: 0, failedExpansions: 3 }]), { total: 100, used: 4 }, rng)).toEqual({ kind: "stop" });
  });

  it("counts failed expansions in |T| and as failures in the expansion draw", () => {
    const { calls, sampler } = recorderSampler();
    const hgm = createStrategy("hgm", { hgmSampler: sampler, hgm: { temperature: false } });
    // |T| = 6 nodes + 5 failed expansions = 11 > 47^0.6 = 10.1: evaluate, not expand.
    const failing = makeView(tree({ a: { failedExpansions: 2 }, d: { failedExpansions: 3 } }));
    expect(hgm.next(failing, { total: 800, used: 47 }, rng).kind).toBe("evaluate");
    // With evaluations enough to expand, a's draw carries its 2 failed expansions; d (3) is not drawn.
    calls.length = 0;
    expect(hgm.next(failing, { total: 800, used: 60 }, rng).kind).toBe("expand");
    expect(calls).toEqual([[17, 32], [12, 6 + 1 + 2], [2, 10], [3, 1]]); // root, a, b, e: clade (1 + S, 1 + F)
  });

  it("N counts evaluations only: the gate's runs in the budget do not make it expand sooner", () => {
    const hgm = createStrategy("hgm");
    // 47 evaluations + 30 gate runs: 77^0.6 = 13.5 ≥ |T| = 11 would expand; 47^0.6 = 10.1 does not.
    const busy = makeView(tree({ root: { expansionsInFlight: 5 } }));
    expect(hgm.next(busy, { total: 800, used: 77, gateRuns: 30 }, rng).kind).toBe("evaluate");
  });
});

function recorderSampler(): { calls: [number, number][]; sampler: BetaSampler } {
  const calls: [number, number][] = [];
  return { calls, sampler: (a, b) => (calls.push([a, b]), a / (a + b)) };
}

describe("hgm clade statistics", () => {
  it("pools each subtree without touching any node's own results, the same on every call", () => {
    const view = makeView(tree()); // nodes are frozen: a write would throw
    const before = JSON.stringify(view.nodes());
    const index = new ArchiveIndex();
    for (let i = 0; i < 3; i++) {
      index.update(view);
      expect(Array.from(index.cladeSuccesses.subarray(0, 6))).toEqual([16, 11, 1, 0, 5, 2]);
      expect(Array.from(index.cladeFailures.subarray(0, 6))).toEqual([31, 6, 9, 0, 2, 0]);
      expect(Array.from(index.workingChildren.subarray(0, 6))).toEqual([2, 1, 0, 0, 1, 0]);
    }
    const hgm = createStrategy("hgm");
    for (let i = 0; i < 20; i++) hgm.next(view, { total: 800, used: 47 }, rng);
    expect(JSON.stringify(view.nodes())).toBe(before);
  });

  it("rejects a view that lists a child before its parent", () => {
    expect(() => new ArchiveIndex().update(makeView([{ id: "root", parent: null }, { id: "x", parent: "y" }, { id: "y" }]))).toThrow(/not listed before it/);
  });
});

describe("hgm final pick (pessimistic posterior)", () => {
  it("ranks 40/50 above 1/1 at the 5% quantile, unlike the raw mean", () => {
    const score = new PessimisticScore(0.05);
    expect(score.of(1, 0)).toBeCloseTo(Math.sqrt(0.05), 12); // Beta(2, 1): F(x) = x²
    expect(score.of(40, 10)).toBeCloseTo(betaQuantile(0.05, 41, 11), 15);
    expect(score.of(40, 10)).toBeGreaterThan(0.68);
    const view = makeView([{ id: "root", parent: null, s: 3, f: 17 }, { id: "lucky", s: 1, f: 0 }, { id: "solid", s: 40, f: 10 }, { id: "x", status: "invalid" }]);
    expect(createStrategy("hgm").finalPick(view)).toBe("solid");
    expect(bestMeanPick(view.nodes())).toBe("lucky"); // the raw best mean would answer with a 1/1 node
  });

  it("has no pick before any result", () => {
    expect(createStrategy("hgm").finalPick(makeView([{ id: "root", parent: null }]))).toBeNull();
  });
});
