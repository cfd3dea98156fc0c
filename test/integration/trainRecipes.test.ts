// Recipes on agent runs (`clade train --recipe`): a real archive whose seed version ran one task three
// times with scripted replies and real scoring — two passing runs and one failing run that shares
// the passing runs' first reply. Each recipe builds its data from those runs (rendered with the
// generated toy model's chat wrapper), the native trainer trains an adapter (dpo with the DPO
// objective), and the adapter version's origin records the recipe, its counts and the objective.
// `clade failures` and the version's details cluster the failing run by its failing test. rise: a
// child version with a second attempt after failed tests (seed setting extraAttempts) trains only
// the attempt after the failure.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider, type ScriptedReply } from "../../extension/engine/agent/scriptedProvider";
import { Archive } from "../../extension/engine/archive/archive";
import { nodeDetails } from "../../extension/engine/archive/archiveSummaries";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { archiveFailures } from "../../extension/engine/train/recipes/archiveFailures";
import { trainAdapterNode, type AdapterTraining } from "../../extension/engine/train/trainAdapterNode";
import { ensureTrainer } from "../helpers/trainer";

const TASK = "t0-subtract-order";
const read: ScriptedReply = { toolCall: { name: "read_file", arguments: { path: "calc.mjs" } } };
const fix: ScriptedReply = { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } };
const wrong: ScriptedReply = { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return b + a;" } } };
const finish: ScriptedReply = { toolCall: { name: "finish", arguments: { summary: "done" } } };

let dir: string;
let workspace: string;
let modelFile: string;
let modelSha: string;
let seedId: string;

beforeAll(async () => {
  ensureTrainer();
  dir = await mkdtemp(path.join(os.tmpdir(), "clade-train-recipes-"));
  workspace = path.join(dir, "ws");
  const model = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 5 });
  [modelFile, modelSha] = [model.file, model.sha256];
  const suite = openBuiltinSuite();
  const archive = await Archive.open(workspace, { create: true });
  try {
    await archive.startSession({ suite: "builtin", taskSetHash: await suite.hash(), taskIds: [TASK], modelHash: modelSha, strategy: "greedy", seed: 0, budgets: { evaluations: 10 } });
    const seed = await archive.addNode(null, seedAgentDir(), { origin: { kind: "seed", targetTask: null, diagnosis: null, problemStatement: null } });
    seedId = seed.id;
    const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
    if (!build.ok) throw new Error(`seed agent failed to build: ${build.message}`);
    const task = (await suite.get(TASK))!;
    const scripts: [string, ScriptedReply[], boolean][] = [["r1", [read, fix, finish], true], ["r2", [read, wrong, finish], false], ["r3", [fix, finish], true]];
    for (const [runId, script, passes] of scripts) {
      await archive.recordEvaluationStarted(seed.id, TASK, runId);
      const result = await runTask({ task, versionId: seed.id, bundle: build.bundle, provider: new ScriptedProvider(script), runsDir: path.join(workspace, ".clade", "runs"), runId });
      expect(result.passed).toBe(passes);
      await archive.recordEvaluationFinished(seed.id, result);
    }
  } finally {
    await archive.dispose();
    suite.dispose();
  }
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function train(recipe: AdapterTraining["recipe"]): Promise<AdapterTraining> {
  const archive = await Archive.open(workspace);
  try {
    const trained = await trainAdapterNode({ archive, workspace, modelFile, modelSha256: modelSha, from: seedId, recipe, rank: 4, epochs: 2, maxSteps: 4, learningRate: 1e-3, threads: 1, seed: 1 });
    expect(archive.node(trained.node.id)?.origin.kind).toBe("adapter");
    return archive.node(trained.node.id)!.origin.diagnosis as AdapterTraining;
  } finally {
    await archive.dispose();
  }
}

describe("recipes on agent runs", () => {
  it("weighted: only replies with a positive advantage are trained (the passing runs' fix)", async () => {
    const t = await train("weighted");
    expect(t).toMatchObject({ recipe: "weighted", objective: "sft", sourceRuns: 3 });
    // P(pass) = 2/3; r1: read (2/3 -> 1/2: -1/6), fix (1/2 -> 1: +1/2), finish (0); r3: fix (2/3 -> 1: +1/3); r2: none positive.
    expect(t.recipeCounts).toMatchObject({ trajectories: 3, passed: 2, noPositiveStep: 1, lines: 2 });
    expect(t.steps).toBe(4);
  });

  it("splice: the failed run's shared first reply, then the passing run's continuation", async () => {
    const t = await train("splice");
    expect(t.recipeCounts).toMatchObject({ spliced: 1, lines: 1 });
  });

  it("dpo: two pairs (after the shared read, and from the start), trained with the DPO objective", async () => {
    const t = await train("dpo");
    expect(t).toMatchObject({ recipe: "dpo", objective: "dpo", beta: 0.1 });
    expect(t.recipeCounts).toMatchObject({ pairs: 2, lines: 2 });
  });

  it("targeted: clusters the failure by its failing test; `clade failures` shows the same", async () => {
    const t = await train("targeted");
    expect(t.recipeCounts).toMatchObject({ examples: 2, lines: 2 });
    const archive = await Archive.open(workspace, { readOnly: true });
    try {
      const failures = await archiveFailures(archive, seedId);
      expect(failures).toMatchObject({ runs: 3, failed: 1, unreadable: 0 });
      expect(failures.clusters).toHaveLength(1);
      expect(failures.clusters[0].signature).toMatch(/^failing: |^error class: /);
      expect(failures.clusters[0].tasks).toEqual([TASK]);
      // The version's details (VS Code's review document) carry the same clusters.
      expect((await nodeDetails(archive, seedId, new Set())).failures).toEqual(failures.clusters);
    } finally {
      await archive.dispose();
    }
  });

  it("rise: a version with extraAttempts 1 fails its first finish, is shown the test output, passes at the second; only the second attempt is trained", async () => {
    // The seed agent with settings.extraAttempts = 1, as a child version.
    const scaffold = path.join(dir, "retry-agent");
    await cp(seedAgentDir(), scaffold, { recursive: true });
    const settingsFile = path.join(scaffold, "src", "settings.ts");
    const text = await readFile(settingsFile, "utf8");
    expect(text).toContain("extraAttempts: 0,");
    await writeFile(settingsFile, text.replace("extraAttempts: 0,", "extraAttempts: 1,"));
    const build = await buildAgent(scaffold, { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
    if (!build.ok) throw new Error(`the retry agent failed to build: ${build.message}`);
    const suite = openBuiltinSuite();
    const archive = await Archive.open(workspace);
    let childId: string;
    try {
      const child = await archive.addNode(seedId, scaffold, { origin: { kind: "self-edit", targetTask: TASK, diagnosis: null, problemStatement: "retry after failed tests" } });
      childId = child.id;
      const plus = { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b + a;", replace: "return a - b;" } } };
      await archive.recordEvaluationStarted(child.id, TASK, "r4");
      const result = await runTask({
        task: (await suite.get(TASK))!, versionId: child.id, bundle: build.bundle, provider: new ScriptedProvider([wrong, finish, plus, finish]), runsDir: path.join(workspace, ".clade", "runs"), runId: "r4",
        // A visible check the agent may run (the task's own tests are hidden until scoring).
        agentTestCommand: `node -e "import('./calc.mjs').then((m) => process.exit(m.subtract(5, 3) === 2 ? 0 : 1))"`,
      });
      expect(result.passed).toBe(true);
      expect(result.turns).toBe(4);
      const records = (await readFile(result.trajectory, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { type: string; turn?: number; attempt?: number; feedback?: string });
      const attempt = records.find((r) => r.type === "attempt");
      expect(attempt).toMatchObject({ turn: 2, attempt: 2 });
      expect(attempt?.feedback).toMatch(/The tests fail after your changes/);
      await archive.recordEvaluationFinished(child.id, result);
    } finally {
      await archive.dispose();
      suite.dispose();
    }
    const reopened = await Archive.open(workspace);
    try {
      const trained = await trainAdapterNode({ archive: reopened, workspace, modelFile, modelSha256: modelSha, from: childId, recipe: "rise", rank: 4, epochs: 2, maxSteps: 2, learningRate: 1e-3, threads: 1, seed: 1 });
      const t = reopened.node(trained.node.id)!.origin.diagnosis as AdapterTraining;
      expect(t).toMatchObject({ recipe: "rise", objective: "sft", sourceRuns: 1 });
      expect(t.recipeCounts).toMatchObject({ trajectories: 1, passed: 1, corrections: 1, firstAttempt: 0, lines: 1 });
      expect(t.maskedTokens).toBeGreaterThan(0);
    } finally {
      await reopened.dispose();
    }
  });
});
