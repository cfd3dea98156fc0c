// Selection on a 10,000-node archive (BENCH.md `archive`: selection ≤ 5 ms). Timings are printed,
// not asserted: this machine is shared and noisy; the threshold belongs to the benchmark.
import { describe, expect, it } from "vitest";
import { ArchiveIndex, createRng, createStrategy, dgmParentSelector, type SearchNode } from "../../extension/engine/search";

function syntheticArchive(size: number, seed: number): SearchNode[] {
  const rng = createRng(seed);
  const nodes: SearchNode[] = [];
  for (let i = 0; i < size; i++) {
    const invalid = i > 0 && rng.next() < 0.2;
    const evaluated = invalid ? 0 : Math.min(60, rng.int(61));
    const successes = Math.round(evaluated * rng.next());
    nodes.push({
      id: `node-${i}`,
      parentId: i === 0 ? null : `node-${rng.int(i)}`, // parents always precede children
      status: invalid ? "invalid" : evaluated > 0 ? "evaluated" : "pending",
      successes,
      failures: evaluated - successes,
      untestedTasks: invalid ? 0 : 60 - evaluated,
      evaluationsInFlight: 0,
      expansionsInFlight: 0,
    });
  }
  return nodes;
}

function medianMs(repetitions: number, body: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    body();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[repetitions >> 1];
}

describe("selection on a 10,000-node archive", () => {
  it("computes every strategy's next action and final pick (timings printed)", () => {
    const nodes = syntheticArchive(10_000, 1);
    const view = { nodes: () => nodes };
    const used = nodes.reduce((sum, n) => sum + n.successes + n.failures, 0);
    const budget = { total: used + 1000, used };
    const rng = createRng(2);
    const ids = new Set(nodes.map((n) => n.id));
    const timings: Record<string, number> = {};

    timings["index, cold"] = medianMs(15, () => new ArchiveIndex().update(view));
    const index = new ArchiveIndex().update(view);
    timings["index, warm"] = medianMs(15, () => index.update(view));
    const selector = dgmParentSelector();
    let parents: string[] = [];
    timings["dgm k=4 parents"] = medianMs(15, () => (parents = selector.select(index.update(view), 4, rng)));
    expect(parents.every((id) => ids.has(id))).toBe(true);

    for (const name of ["dgm", "hgm", "greedy", "random"] as const) {
      const strategy = createStrategy(name);
      let kind = "";
      timings[`${name} next()`] = medianMs(15, () => (kind = strategy.next(view, budget, rng).kind));
      expect(["expand", "evaluate"]).toContain(kind);
      let pick: string | null = null;
      timings[`${name} finalPick()`] = medianMs(15, () => (pick = strategy.finalPick(view)));
      expect(ids.has(pick as unknown as string)).toBe(true);
    }
    console.log(`search selection, 10,000 nodes, median ms: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(" · ")}`);
  });
});
