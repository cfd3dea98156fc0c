// A whole self-improvement session with a SCRIPTED provider (test/helpers/oracleProvider.ts): the
// seed agent fails every task; a self-edit that fixes its known weakness makes a child that solves
// them. The session must grow the tree, the child must beat its parent, and both dgm and hgm must
// pick it up.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Archive } from "../../extension/engine/archive/archive";
import { runSession } from "../../extension/engine/evolve/session";
import { ArchiveIndex } from "../../extension/engine/search/archiveIndex";
import { dgmParentProbabilities } from "../../extension/engine/search/dgmParentSelection";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import type { StrategyName } from "../../extension/engine/search/types";
import { MAGIC, OracleProvider } from "../helpers/oracleProvider";

async function session(strategy: StrategyName, budget: number) {
  const workspace = mkdtempSync(path.join(os.tmpdir(), `clade-session-${strategy}-`));
  const provider = new OracleProvider(await openBuiltinSuite().list());
  const summary = await runSession({
    workspace, suite: "builtin", strategy, budgetEvaluations: budget, parallel: 2, seed: 7, provider, modelHash: "scripted",
    gateTasks: 2,
    limits: { maxTurns: 8 },
    strategyOptions: { generational: { stages: [4, 4], thresholds: [0.4], evaluateRootFully: false, parentsPerGeneration: 2 }, hgm: { initialExpansions: 2 } },
  });
  const archive = await Archive.open(workspace, { readOnly: true });
  return { summary, archive, workspace };
}

function passRate(archive: Archive, id: string): number {
  const results = archive.results(id);
  return results.length ? results.filter((r) => r.passed).length / results.length : 0;
}

describe("a session with the scripted oracle provider", () => {
  for (const strategy of ["dgm", "hgm"] as const) {
    it(`${strategy}: grows a tree in which a self-edited child beats the seed, and picks it`, async () => {
      const { summary, archive } = await session(strategy, 30);
      try {
        const nodes = archive.nodes();
        const root = nodes[0];
        const children = nodes.filter((n) => n.parentId === root.id && n.status !== "invalid");
        console.log(`[${strategy} session] ${nodes.length} nodes, ${summary.evaluationsDone} evaluations, stop: ${summary.stopReason}, pick: ${summary.finalPick}`);
        expect(summary.evaluationsDone).toBeLessThanOrEqual(30);
        expect(summary.evaluationsDone).toBeGreaterThanOrEqual(8);
        expect(children.length).toBeGreaterThanOrEqual(1);
        expect(await archive.readFile(children[0].id, "src/prompts.ts")).toContain(MAGIC);
        expect(await archive.readFile(root.id, "src/prompts.ts")).not.toContain(MAGIC);
        const evaluatedChild = children.find((c) => archive.results(c.id).length > 0)!;
        expect(evaluatedChild).toBeDefined();
        expect(passRate(archive, evaluatedChild.id)).toBeGreaterThan(passRate(archive, root.id));
        // The strategy's final answer is a child, not the seed.
        expect(summary.finalPick).not.toBeNull();
        expect(archive.node(summary.finalPick!)?.parentId).not.toBeNull();
        // DGM's parent distribution prefers the better child (SEARCH.md formula, computed on this archive).
        const probabilities = dgmParentProbabilities(new ArchiveIndex().update(archive.searchView()));
        expect(probabilities.get(evaluatedChild.id) ?? 0).toBeGreaterThan(probabilities.get(root.id) ?? 0);
        expect(await archive.check()).toEqual([]);
      } finally {
        await archive.dispose();
      }
    });
  }
});
