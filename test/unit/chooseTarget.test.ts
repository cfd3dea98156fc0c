// What a self-edit targets: DGM's uniform pick among failed runs, or (targetClusters) a pick weighted
// by how often the failure's cluster fails.
import { describe, expect, it } from "vitest";
import { chooseTarget, type ParentRun } from "../../extension/engine/evolve/chooseTarget";
import { createRng } from "../../extension/engine/search/rng";

const run = (taskId: string, passed: boolean, signature?: string): ParentRun => ({ taskId, passed, stopReason: "finished", changedFiles: true, trajectory: `/${taskId}`, ...(signature ? { signature } : {}) });
// Cluster "timeout": 3 failures of 4 runs (task A); cluster "assert": 1 of 4 (task B).
const runs = [run("A", false, "timeout"), run("A", false, "timeout"), run("A", false, "timeout"), run("A", true), run("B", false, "assert"), run("B", true), run("B", true), run("B", true)];

function shareOfB(byCluster: boolean): number {
  const rng = createRng(3);
  let b = 0;
  const n = 4000;
  for (let i = 0; i < n; i++) if (chooseTarget(runs, rng, 0, { byCluster })?.run.taskId === "B") b++;
  return b / n;
}

describe("chooseTarget", () => {
  it("DGM: a failed run uniformly (B is 1 of 4 failed runs)", () => {
    expect(shareOfB(false)).toBeCloseTo(0.25, 1);
  });

  it("targetClusters: ∝ the cluster's failure rate (B: 0.25 / (3 × 0.75 + 0.25) = 0.1)", () => {
    expect(shareOfB(true)).toBeCloseTo(0.1, 1);
    expect(shareOfB(true)).toBeLessThan(0.14);
  });
});
