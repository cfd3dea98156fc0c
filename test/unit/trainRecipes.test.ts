// The learning recipes' data, on hand-made attempt sets whose right answers are worked out here.
import { describe, expect, it } from "vitest";
import { buildRecipeData, clusterFailures, firstWrongStep, stepAdvantages, type Trajectory } from "../../extension/engine/train/recipes/recipes";

// Task A: right answer "r". Runs: r (pass), w1 r (pass), w1 w2 (fail), w2 w1 (fail).
// Task B: nobody passed: x y (fail).
const runs: Trajectory[] = [
  { task: "A", steps: ["r"], passed: true },
  { task: "A", steps: ["w1", "r"], passed: true },
  { task: "A", steps: ["w1", "w2"], passed: false, signature: "chose w2" },
  { task: "A", steps: ["w2", "w1"], passed: false, signature: "chose w1" },
  { task: "B", steps: ["x", "y"], passed: false, signature: "chose y" },
];

describe("recipes", () => {
  it("sft: every step of every passed run, weight 1; failed runs dropped", () => {
    const data = buildRecipeData("sft", runs);
    expect(data.examples).toEqual([
      { task: "A", steps: ["r"], weights: [1] },
      { task: "A", steps: ["w1", "r"], weights: [1, 1] },
    ]);
    expect(data.counts).toMatchObject({ trajectories: 5, passed: 2, failedDropped: 3, examples: 2 });
  });

  it("rise: the passing first attempt, and each failed first attempt + feedback -> the solving step; only the retry trained", () => {
    const data = buildRecipeData("rise", runs);
    expect(data.examples).toEqual([
      { task: "A", steps: ["r"], weights: [1] },
      { task: "A", steps: ["w1", "r"], weights: [0, 1] },
      { task: "A", steps: ["w2", "r"], weights: [0, 1] },
    ]);
    expect(data.counts).toMatchObject({ tasksWithoutPass: 1, corrections: 2 });
    expect(data.notes.join(" ")).toMatch(/reduces to plain likelihood/);
  });

  it("splice: the first wrong step is the first after which no passing run shares the state", () => {
    const passing = runs.filter((r) => r.passed && r.task === "A");
    // w1 w2: a passing run shares [w1], none shares [w1, w2] -> one step kept, the second is wrong.
    expect(firstWrongStep(runs[2], passing)).toBe(1);
    // w2 w1: no passing run starts with w2 -> the first step is wrong.
    expect(firstWrongStep(runs[3], passing)).toBe(0);
    const data = buildRecipeData("splice", runs);
    expect(data.examples).toEqual([
      { task: "A", steps: ["w1", "r"], weights: [0, 1] }, // prefix w1 from the failed run, continuation r from "w1 r"
      { task: "A", steps: ["r"], weights: [1] }, // nothing shared: the first passing run from the start
    ]);
    expect(data.counts).toMatchObject({ spliced: 2, noPassingSibling: 1 });
  });

  it("weighted: Monte Carlo advantages from sibling runs, hand-computed", () => {
    const a = runs.filter((r) => r.task === "A");
    // P(pass) = 2/4. After r: 1/1. After w1: 1/2. After w1 r: 1. After w1 w2: 0. After w2: 0.
    expect(stepAdvantages(a[0], a)).toEqual([0.5]);
    expect(stepAdvantages(a[1], a)).toEqual([0, 0.5]);
    expect(stepAdvantages(a[2], a)).toEqual([0, -0.5]);
    expect(stepAdvantages(a[3], a)).toEqual([-0.5, 0]);
    const data = buildRecipeData("weighted", runs);
    expect(data.examples).toEqual([
      { task: "A", steps: ["r"], weights: [0.5] },
      { task: "A", steps: ["w1", "r"], weights: [0, 0.5] },
    ]);
    expect(data.counts.noPositiveStep).toBe(3);
  });

  it("targeted: clusters by signature, worst first; passed runs of bad clusters repeated", () => {
    const clusters = clusterFailures(runs);
    expect(clusters.map((c) => [c.signature, c.failures, c.runs])).toEqual([
      ["chose w2", 1, 1], // rate 1 (ties by name)
      ["chose y", 1, 1],
      // Task A's passing runs count under its most frequent failure signature (a tie: the first by name).
      ["chose w1", 1, 3],
    ]);
    // Task C fails in a cluster of its own at 3/4, task D at 1/4: C's passed run is drawn 2x, D's once.
    const more: Trajectory[] = [
      ...["c1", "c2", "c3"].map((s): Trajectory => ({ task: "C", steps: [s], passed: false, signature: "timeout" })),
      { task: "C", steps: ["ok"], passed: true },
      { task: "D", steps: ["d1"], passed: false, signature: "assert" },
      ...[1, 2, 3].map((): Trajectory => ({ task: "D", steps: ["ok"], passed: true })),
    ];
    const data = buildRecipeData("targeted", more, { maxOversample: 4 });
    expect(data.clusters?.map((c) => [c.signature, c.failureRate])).toEqual([["timeout", 0.75], ["assert", 0.25]]);
    // C is the worst cluster: 4 times; D the best: once (its three identical runs deduplicated first).
    const ok = { steps: ["ok"], weights: [1] };
    expect(data.examples).toEqual([...Array(4).fill({ task: "C", ...ok }), { task: "D", ...ok }]);
    expect(data.counts).toMatchObject({ duplicates: 2, oversampled: 3, examples: 5 });
  });

  it("dpo: step-level pairs at the first step where a passing and a failing run part", () => {
    const data = buildRecipeData("dpo", runs);
    // Step-level: the first step where a passing and a failing run part, nothing after it.
    expect(data.pairs).toEqual([
      { task: "A", prefix: [], chosen: ["r"], rejected: ["w1"] },
      { task: "A", prefix: [], chosen: ["r"], rejected: ["w2"] },
      { task: "A", prefix: ["w1"], chosen: ["r"], rejected: ["w2"] },
      { task: "A", prefix: [], chosen: ["w1"], rejected: ["w2"] },
    ]);
    expect(data.counts).toMatchObject({ pairs: 4, tasksWithoutPair: 1 });
  });
});
