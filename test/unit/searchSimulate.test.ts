import { describe, expect, it } from "vitest";
import { benchSearch, createRng, createStrategy, Landscape, runSimulation, STRATEGY_NAMES, type ArchiveView, type SearchBudget, type SearchStrategy, type SimulationResult } from "../../extension/engine/search";
import type { Rng } from "../../extension/engine/search";
import { CladeError } from "../../extension/protocol/errors";

const TASKS = 60;

/** Wraps a strategy and checks, on every call, what the simulator shows it. */
function spy(inner: SearchStrategy): SearchStrategy & { problems: string[]; sawInFlight: boolean } {
  const problems: string[] = [];
  const self = {
    name: inner.name,
    problems,
    sawInFlight: false,
    next(view: ArchiveView, budget: SearchBudget, rng: Rng) {
      let done = 0;
      for (const node of view.nodes()) {
        const results = node.successes + node.failures;
        done += results;
        if (node.evaluationsInFlight + node.expansionsInFlight > 0) self.sawInFlight = true;
        if (node.status === "invalid" && results + node.evaluationsInFlight + node.untestedTasks > 0) problems.push(`invalid ${node.id} has evaluations`);
        if (node.status !== "invalid" && results + node.evaluationsInFlight + node.untestedTasks !== TASKS) problems.push(`${node.id} task accounting`);
        if ((node.status === "evaluated") !== results > 0 && node.status !== "invalid") problems.push(`${node.id} status ${node.status} with ${results} results`);
      }
      if (done !== budget.used) problems.push(`budget.used ${budget.used} ≠ ${done}`);
      return inner.next(view, budget, rng);
    },
    finalPick: (view: ArchiveView) => inner.finalPick(view),
  };
  return self;
}

function run(name: (typeof STRATEGY_NAMES)[number], seed: number, budget = 600, parallel = 1): SimulationResult {
  return runSimulation(createStrategy(name), new Landscape(seed), createRng(seed), { budget, target: 0.4, parallel, expansionTime: 4 });
}

describe("a small budget: 20 task runs, each expansion's gate spending 3 of them", () => {
  // The VS Code default budget. DGM's staged evaluation used to give the root all 20 (it evaluates
  // the initial agent on every stage: 60 tasks), so dgm, greedy and random never made a version.
  for (const name of STRATEGY_NAMES) {
    it(`${name} makes at least one child version on every seed`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const result = runSimulation(createStrategy(name), new Landscape(seed), createRng(seed), { budget: 20, target: 1, gateRuns: 3 });
        expect(result.expansions, `seed ${seed}`).toBeGreaterThanOrEqual(1);
        expect(result.nodes, `seed ${seed}`).toBeGreaterThanOrEqual(2);
        // Gate runs count: a gate that started finishes, so B is passed by at most one gate.
        expect(result.gateRuns).toBe(3 * (result.nodes - 1));
        expect(result.evaluations + result.gateRuns, `seed ${seed}`).toBeLessThanOrEqual(20 + 3);
      }
    });
  }
});

describe("landscape", () => {
  it("is a fixed tree per seed: the k-th expansion of a node is always the same child", () => {
    const landscape = new Landscape(9);
    const root = landscape.root();
    expect(landscape.child(root, 3)).toEqual(new Landscape(9).child(new Landscape(9).root(), 3));
    expect(landscape.child(root, 3)).not.toEqual(landscape.child(root, 4));
    expect(new Landscape(10).child(new Landscape(10).root(), 3)).not.toEqual(landscape.child(root, 3));
  });

  it("has the configured invalid rate, a slightly negative ordinary drift and faster metaproductive lineages", () => {
    const landscape = new Landscape(4, { metaCost: 0 });
    const parent = { ...landscape.root(), quality: 0.5 };
    const metaParent = { ...parent, metaproductive: true };
    let invalid = 0;
    let ordinary = 0;
    let ordinaryCount = 0;
    let meta = 0;
    let metaCount = 0;
    const n = 20_000;
    for (let k = 0; k < n; k++) {
      const child = landscape.child(parent, k);
      if (child.invalid) invalid++;
      else if (!child.metaproductive) {
        ordinary += child.quality - 0.5;
        ordinaryCount++;
      }
      const metaChild = landscape.child(metaParent, k);
      if (!metaChild.invalid) {
        meta += metaChild.quality - 0.5;
        metaCount++;
      }
    }
    expect(invalid / n).toBeCloseTo(0.2, 1);
    expect(ordinary / ordinaryCount).toBeCloseTo(-0.01, 2);
    expect(meta / metaCount).toBeCloseTo(0.03, 2);
  });

  it("evaluations are Bernoulli(q) and fixed per (node, task)", () => {
    const landscape = new Landscape(2);
    const node = { ...landscape.root(), quality: 0.3 };
    let passed = 0;
    for (let t = 0; t < 20_000; t++) passed += landscape.evaluate(node, t) ? 1 : 0;
    expect(passed / 20_000).toBeCloseTo(0.3, 1);
    expect(landscape.evaluate(node, 17)).toBe(landscape.evaluate(node, 17));
  });
});

describe("runSimulation", () => {
  it("is deterministic per seed and differs between seeds", () => {
    for (const name of STRATEGY_NAMES) {
      expect(run(name, 5)).toEqual(run(name, 5));
      expect([6, 7, 8].some((seed) => JSON.stringify(run(name, seed)) !== JSON.stringify(run(name, 5)))).toBe(true);
    }
  });

  it("keeps the archive consistent, spends at most the budget, never evaluates invalid children", () => {
    for (const name of STRATEGY_NAMES) {
      for (const parallel of [1, 4]) {
        const strategy = spy(createStrategy(name));
        const result = runSimulation(strategy, new Landscape(3), createRng(3), { budget: 500, target: 0.4, parallel, expansionTime: 4 });
        expect(strategy.problems).toEqual([]);
        expect(result.evaluations).toBeLessThanOrEqual(500);
        expect(result.evaluations).toBeGreaterThan(400);
        expect(result.expansions).toBeGreaterThan(5);
        if (parallel > 1) expect(strategy.sawInFlight).toBe(true);
      }
    }
  });

  it("counts evaluations until the strategy's own final pick reaches the target", () => {
    // Target 0: hgm answers after its first evaluation; dgm only once the root's staged run is done.
    const zero = (name: "hgm" | "dgm") => runSimulation(createStrategy(name), new Landscape(1), createRng(1), { budget: 300, target: 0 });
    expect(zero("hgm").evaluationsToTarget).toBe(1);
    expect(zero("dgm").evaluationsToTarget).toBe(60);
    const never = runSimulation(createStrategy("hgm"), new Landscape(1), createRng(1), { budget: 300, target: 1.01 });
    expect(never.evaluationsToTarget).toBeNull();
    expect(never.finalQuality).toBeLessThanOrEqual(never.bestQualityCreated);
  });
});

describe("benchSearch", () => {
  it("rejects impossible inputs with a CladeError", () => {
    expect(() => benchSearch({ seeds: 0 })).toThrow(CladeError);
    expect(() => benchSearch({ seeds: 1, budget: 0 })).toThrow(/budget must be a positive integer/);
    expect(() => benchSearch({ seeds: 1, parallel: 1.5 })).toThrow(/parallel/);
  });

  it("reports BENCH.md's JSON shape, deterministically", () => {
    const options = { seeds: 8, budget: 600, target: 0.3 };
    const result = benchSearch(options);
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ name: "search", unit: "task evaluations to target", repetitions: 8, inputs: { seeds: 8, target: 0.3, budget: 600 } });
    expect(Object.keys(result.strategies).sort()).toEqual([...STRATEGY_NAMES].sort());
    expect(result.reference).toBe(result.strategies.dgm?.medianEvals);
    expect(result.measured).toBe(result.strategies.hgm?.medianEvals);
    if (result.reference !== null && result.measured !== null) expect(result.ratio).toBeCloseTo(result.measured / result.reference, 12);
    for (const figures of Object.values(result.strategies)) {
      expect(figures.successRate).toBeGreaterThanOrEqual(0);
      expect(figures.successRate).toBeLessThanOrEqual(1);
      expect(figures.finalSuccessRate).toBeLessThanOrEqual(figures.successRate);
    }
    const strip = (r: typeof result) => JSON.stringify(r, (key, value) => (key === "wallMs" ? undefined : value));
    expect(strip(benchSearch(options))).toBe(strip(result));
  });
});
