// The recipe comparison's arithmetic: exact success within two attempts, seeded attempts, and the
// rule that no recipe is called better than sft unless both intervals say so.
import { describe, expect, it } from "vitest";
import { rates, sampleTrajectories } from "../../extension/engine/train/recipes/recipeLoop";
import { bootstrapMean, tInterval } from "../../extension/engine/util/intervals";
import type { ChoiceTask } from "../../extension/engine/train/choiceTasks";

const task: ChoiceTask = { key: "k", prompt: "p", options: [" a", " b", " c"], answer: 0 };
// First attempt: a 0.5, b 0.3, c 0.2. After b: a 0.8; after c: a 0.1.
const policy = [{ first: [0.5, 0.3, 0.2], second: new Map([[1, [0.8, 0.1, 0.1]], [2, [0.1, 0.8, 0.1]]]) }];

describe("recipe loop", () => {
  it("success within two attempts is p1(right) + sum over wrong w of p1(w) * p2(right | w)", () => {
    const r = rates([task], policy);
    expect(r.firstAttempt).toBeCloseTo(0.5, 12);
    expect(r.withinTwo).toBeCloseTo(0.5 + 0.3 * 0.8 + 0.2 * 0.1, 12);
  });

  it("samples seeded attempts: a second one only after a wrong first, signed by the named file when failed", () => {
    const a = sampleTrajectories([task], policy, 400, 7);
    expect(sampleTrajectories([task], policy, 400, 7)).toEqual(a);
    expect(a.every((t) => (t.steps[0] === " a") === (t.steps.length === 1))).toBe(true);
    expect(a.filter((t) => !t.passed).every((t) => t.signature === "open a")).toBe(true);
    const passed = a.filter((t) => t.passed).length / a.length;
    expect(passed).toBeGreaterThan(0.76 - 0.07);
    expect(passed).toBeLessThan(0.76 + 0.07);
  });

  it("intervals: a t interval over one seed is unbounded; the bootstrap sees only the tasks", () => {
    expect(tInterval([0.1]).ci95).toEqual([-Infinity, Infinity]);
    const t = tInterval([1, 2, 3]);
    expect(t.mean).toBe(2);
    expect(t.ci95[0]).toBeCloseTo(2 - 4.303 * (1 / Math.sqrt(3)), 3);
    const b = bootstrapMean([[0.1, 0.1, 0.1, 0.1]]);
    expect(b.ci95).toEqual([0.1, 0.1]);
  });
});
