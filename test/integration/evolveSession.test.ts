// A whole self-improvement session with a SCRIPTED provider (test/helpers/oracleProvider.ts): the
// seed agent fails every task; a self-edit that fixes its known weakness makes a child that solves
// them. The session must grow the tree, the child must beat its parent, and both dgm and hgm must
// pick it up.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Archive } from "../../extension/engine/archive/archive";
import { runSession } from "../../extension/engine/evolve/session";
import { ArchiveIndex } from "../../extension/engine/search/archiveIndex";
import { dgmParentProbabilities } from "../../extension/engine/search/dgmParentSelection";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { openSuite } from "../../extension/engine/tasks/openSuite";
import { STRATEGY_NAMES, type StrategyName } from "../../extension/engine/search/types";
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
        // DGM's parent distribution prefers the better child (SEARCH.md formula, computed on this
        // archive) — unless it solved every task it was given: DGM never expands a perfect parent.
        const probabilities = dgmParentProbabilities(new ArchiveIndex().update(archive.searchView()));
        if (passRate(archive, evaluatedChild.id) < 1) expect(probabilities.get(evaluatedChild.id) ?? 0).toBeGreaterThan(probabilities.get(root.id) ?? 0);
        else expect(probabilities.get(evaluatedChild.id) ?? 0).toBe(0);
        expect(await archive.check()).toEqual([]);
      } finally {
        await archive.dispose();
      }
    });
  }
});

/** The gate's runs of candidates (trajectories of versions `candidate-<expansion>`), wherever they were written. */
function candidateRuns(workspace: string): { versionId: string; taskId: string; maxTurns: number }[] {
  const runsDir = path.join(workspace, ".clade", "runs");
  return readdirSync(runsDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".jsonl") && path.basename(entry.parentPath).startsWith("candidate-"))
    .map((entry) => {
      const start = JSON.parse(readFileSync(path.join(entry.parentPath, entry.name), "utf8").split("\n")[0]) as { versionId: string; task: { id: string }; limits: { maxTurns: number } };
      return { versionId: start.versionId, taskId: start.task.id, maxTurns: start.limits.maxTurns };
    });
}

// The VS Code defaults: a budget of 20, no strategy options, the default gate. The staged
// evaluation used to give the root all 20 evaluations (dgm, greedy, random never made a version),
// the gate demanded every T0 task, ran with the default agent limits (20 turns, not the session's),
// and its runs were counted nowhere.
describe("a session with a budget of 20 and default options", () => {
  for (const strategy of STRATEGY_NAMES) {
    it(`${strategy}: makes a child version, counts the gate's runs in the budget, and gates with the session's limits`, async () => {
      const workspace = mkdtempSync(path.join(os.tmpdir(), `clade-small-${strategy}-`));
      const provider = new OracleProvider(await openBuiltinSuite().list());
      const summary = await runSession({ workspace, suite: "builtin", strategy, budgetEvaluations: 20, parallel: 1, seed: 7, provider, modelHash: "scripted", limits: { maxTurns: 8 } });
      const archive = await Archive.open(workspace, { readOnly: true });
      try {
        const children = archive.nodes().filter((n) => n.parentId !== null);
        console.log(`[${strategy} budget 20] ${archive.nodes().length} nodes, ${summary.evaluationsDone} evaluations + ${summary.gateRuns} gate runs, stop: ${summary.stopReason}`);
        expect(children.length).toBeGreaterThanOrEqual(1);
        const gated = candidateRuns(workspace);
        expect(gated.length).toBeGreaterThanOrEqual(3);
        for (const run of gated) expect(run.maxTurns).toBe(8);
        // Every gate run is counted (the parent's comparison runs too), and against the budget.
        expect(summary.gateRuns).toBeGreaterThanOrEqual(gated.length);
        // The budget is a ceiling: an expansion starts only when its gate and one evaluation fit.
        expect(summary.evaluationsDone + summary.gateRuns).toBeLessThanOrEqual(20);
        expect(summary.evaluationsDone).toBe(archive.searchBudget().used);
        // Expansions are reported too (each costs model time even when it makes no version).
        expect(summary.expansions).toBe(archive.usage().expansions);
        expect(summary.expansions).toBeGreaterThanOrEqual(children.length);
        expect(await archive.check()).toEqual([]);
      } finally {
        await archive.dispose();
      }
    });
  }
});

describe("a budget too small for an expansion's gate", () => {
  it("stops with the reason instead of overrunning the budget (issue 15.3: 3 evaluations ran gates for minutes)", async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-tiny-budget-"));
    const provider = new OracleProvider(await openBuiltinSuite().list());
    const summary = await runSession({ workspace, suite: "builtin", strategy: "dgm", budgetEvaluations: 3, parallel: 1, seed: 7, provider, modelHash: "scripted", limits: { maxTurns: 8 } });
    expect(summary.evaluationsDone + summary.gateRuns).toBeLessThanOrEqual(3);
    expect(summary.stopReason).toBe("budget");
    // What cannot buy an expansion buys evaluations of the parent instead of staying unspent.
    expect(summary.evaluationsDone).toBeGreaterThanOrEqual(1);
    if (summary.message) expect(summary.message).toMatch(/an expansion of n\d+ needs up to \d+ task runs \(probes, its gate and one evaluation\), \d+ left in the budget/);
  });
});

describe("the gate of a suite without T0 tasks", () => {
  it("runs the candidate on a few of the suite's own tasks (it used to pass 0 of 0 T0 tasks)", async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-untiered-"));
    const file = path.join(workspace, "tasks.yaml");
    writeFileSync(file, untieredTasks(["double", "triple", "negate", "square", "halve"]));
    const opened = openSuite(file, { workspace });
    const provider = new OracleProvider(await opened.list());
    opened.dispose();
    const summary = await runSession({ workspace, suite: file, strategy: "greedy", budgetEvaluations: 12, parallel: 1, seed: 3, provider, modelHash: "scripted", limits: { maxTurns: 8 } });
    const archive = await Archive.open(workspace, { readOnly: true });
    try {
      expect(archive.session()?.config.suite).toBe(`yaml:${file}`);
      expect(archive.nodes().filter((n) => n.parentId !== null).length).toBeGreaterThanOrEqual(1);
      const gated = candidateRuns(workspace);
      expect(new Set(gated.filter((r) => r.versionId === gated[0]?.versionId).map((r) => r.taskId)).size).toBe(3);
      const verdicts = readFileSync(path.join(workspace, ".clade", "gate.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; tasks: string[]; summary: string }).filter((l) => l.type === "verdict");
      expect(verdicts.length).toBeGreaterThanOrEqual(1);
      for (const verdict of verdicts) expect(verdict.tasks).toHaveLength(3);
      expect(summary.gateRuns).toBeGreaterThanOrEqual(3);
    } finally {
      await archive.dispose();
    }
  });
});

/** A tasks.yaml of small untiered tasks, each with hidden tests and a reference solution. */
function untieredTasks(names: string[]): string {
  const ops: Record<string, [string, number]> = { double: ["x * 2", 12], triple: ["x * 3", 18], negate: ["-x", -6], square: ["x * x", 36], halve: ["x / 2", 3] };
  const lines = ["testCommand: node --test", "tasks:"];
  for (const name of names) {
    lines.push(
      `  - id: ${name}`,
      `    instructions: Make ${name}(x) in ${name}.mjs return ${ops[name][0]}.`,
      "    files:",
      `      ${name}.mjs: "export function ${name}(x) { return 0; }\\n"`,
      "    tests:",
      `      test/${name}.test.mjs: "import test from 'node:test'; import assert from 'node:assert/strict'; import { ${name} } from '../${name}.mjs'; test('${name}', () => assert.equal(${name}(6), ${ops[name][1]}));\\n"`,
      "    solution:",
      `      ${name}.mjs: "export function ${name}(x) { return ${ops[name][0]}; }\\n"`,
    );
  }
  return `${lines.join("\n")}\n`;
}
