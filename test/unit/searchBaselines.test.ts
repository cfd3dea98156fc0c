import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { ArchiveIndex, createRng, createStrategy, greedyParentSelector, randomParentSelector, STRATEGY_NAMES, type StrategyName } from "../../extension/engine/search";
import { makeView } from "./searchFixtures";

const view = makeView([
  { id: "root", parent: null, s: 12, f: 48 },
  { id: "a", s: 6, f: 4 },
  { id: "b", s: 7, f: 3 },
  { id: "b2", s: 42, f: 18 }, // same mean as b (0.7), more evidence
  { id: "x", status: "invalid" },
  { id: "p" }, // pending: no result yet
]);
const index = new ArchiveIndex().update(view);

describe("greedy", () => {
  it("always picks the best observed mean (ties: more evaluations), k times", () => {
    const rng = createRng(1);
    for (let i = 0; i < 20; i++) expect(greedyParentSelector().select(index, 3, rng)).toEqual(["b2", "b2", "b2"]);
  });

  it("is the DGM loop with greedy parents: after the root, it expands the best", () => {
    const greedy = createStrategy("greedy");
    const evaluated = makeView([{ id: "root", parent: null, s: 12, f: 48 }, { id: "a", s: 2, f: 8 }, { id: "b", s: 30, f: 30 }]);
    expect(greedy.next(evaluated, { total: 500, used: 190 }, createRng(1))).toEqual({ kind: "expand", nodeId: "b" });
    expect(greedy.finalPick(evaluated)).toBe("b");
  });
});

describe("random", () => {
  it("draws uniformly among evaluated working nodes", () => {
    const rng = createRng(2);
    const counts = new Map<string, number>();
    const draws = 20_000;
    for (const id of randomParentSelector().select(index, draws, rng)) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(["a", "b", "b2", "root"]);
    const sigma = Math.sqrt((0.25 * 0.75) / draws);
    for (const count of counts.values()) expect(Math.abs(count / draws - 0.25)).toBeLessThan(4 * sigma);
  });

  it("has no candidate (and the strategy stops) when nothing is evaluated", () => {
    expect(randomParentSelector().select(new ArchiveIndex().update(makeView([{ id: "root", parent: null, untested: 0 }])), 2, createRng(1))).toEqual([]);
    expect(createStrategy("random").next(makeView([{ id: "root", parent: null, untested: 0 }]), { total: 100, used: 0 }, createRng(1))).toEqual({ kind: "stop" });
  });
});

describe("createStrategy", () => {
  it("builds every named strategy", () => {
    for (const name of STRATEGY_NAMES) expect(createStrategy(name).name).toBe(name);
  });

  it("rejects unknown names and out-of-range options with a CladeError that names the fix", () => {
    const cases: (() => unknown)[] = [
      () => createStrategy("beam" as StrategyName),
      () => createStrategy("dgm", { generational: { parentsPerGeneration: 0 } }),
      () => createStrategy("dgm", { generational: { stages: [10, 50], thresholds: [] } }),
      () => createStrategy("hgm", { hgm: { alpha: 1.5 } }),
      () => createStrategy("hgm", { hgm: { percentile: 0 } }),
    ];
    for (const make of cases) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(CladeError.is(error, "invalid-argument")).toBe(true);
      expect((error as CladeError).fix.length).toBeGreaterThan(0);
    }
  });
});
