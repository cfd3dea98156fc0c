// Adapters as archive versions, end to end: a real seed-agent run on a built-in task (scripted
// replies, real sandbox and hidden tests) passes and is recorded in a real archive; `trainVersion`
// builds the dataset from it with the generated toy model's chat wrapper, trains an adapter with
// the native trainer (1 thread), adds it as a child (same scaffold tree, new adapterHash, origin
// "adapter" with the dataset hash), and evaluates it with the real model host, which attaches the
// adapter; running the plain parent through AgentRuns detaches it again, the adapter version
// attaches it; accept/revert work on it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentRuns } from "../../extension/engine/agent/agentRuns";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider, type ScriptedReply } from "../../extension/engine/agent/scriptedProvider";
import { Archive } from "../../extension/engine/archive/archive";
import { ModelHost } from "../../extension/engine/model/modelHost";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { adapterFile } from "../../extension/engine/train/adapterStore";
import type { AdapterTraining } from "../../extension/engine/train/trainAdapterNode";
import { trainVersion } from "../../extension/engine/train/trainService";
import { CladeError } from "../../extension/protocol/errors";
import { ensureTrainer } from "../helpers/trainer";

const TASK = "t0-subtract-order";

/** Builds the trainer when it is missing (trainer.test.ts rebuilds it; rebuilding here could hit a binary that test is running). */
const goodScript: ScriptedReply[] = [
  { toolCall: { name: "read_file", arguments: { path: "calc.mjs" } } },
  { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
  { toolCall: { name: "finish", arguments: { summary: "subtract now returns a - b" } } },
];

let dir: string;
let workspace: string;
let modelFile: string;
let modelSha: string;
let host: ModelHost;

beforeAll(async () => {
  ensureTrainer();
  dir = await mkdtemp(path.join(os.tmpdir(), "clade-train-adapter-"));
  workspace = path.join(dir, "ws");
  const model = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 5 });
  [modelFile, modelSha] = [model.file, model.sha256];
  host = new ModelHost({ log: () => undefined, defaultCacheDir: path.join(dir, "cache") });

  // An archive whose seed version passed one run (scripted replies, real scoring).
  const suite = openBuiltinSuite();
  const archive = await Archive.open(workspace, { create: true });
  try {
    await archive.startSession({ suite: "builtin", taskSetHash: await suite.hash(), taskIds: [TASK], modelHash: modelSha, strategy: "greedy", seed: 0, budgets: { evaluations: 10 } });
    const seed = await archive.addNode(null, seedAgentDir(), { origin: { kind: "seed", targetTask: null, diagnosis: null, problemStatement: null } });
    const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
    if (!build.ok) throw new Error(`seed agent failed to build: ${build.message}`);
    await archive.recordEvaluationStarted(seed.id, TASK, "r1");
    const result = await runTask({ task: (await suite.get(TASK))!, versionId: seed.id, bundle: build.bundle, provider: new ScriptedProvider(goodScript), runsDir: path.join(workspace, ".clade", "runs"), runId: "r1" });
    expect(result.passed).toBe(true);
    await archive.recordEvaluationFinished(seed.id, result);
  } finally {
    await archive.dispose();
    suite.dispose();
  }
}, 120_000);

afterAll(async () => {
  await host?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("adapter versions", () => {
  it("trains an adapter child from the passed runs, evaluates it with the adapter attached, and runs attach per version", async () => {
    const modelSpec = { model: modelFile, threads: 1, contextSize: 2048, gpu: "cpu" as const };
    const result = await trainVersion(host, { workspace, model: modelSpec, rank: 4, epochs: 3, learningRate: 1e-3, contextSize: 2048, evalTasks: 1, limits: { maxTurns: 2 } });

    // The adapter is stored under its content hash, and the node names it.
    expect(result.parentId).toBe("n0");
    expect(result.adapterFile).toBe(adapterFile(workspace, result.adapterHash));
    expect(sha256(result.adapterFile)).toBe(result.adapterHash);
    const training = result.training as unknown as AdapterTraining;
    expect(training.trainExamples).toBe(1);
    expect(training.sourceRuns).toBe(1);
    expect(training.datasetHash).toMatch(/^[0-9a-f]{64}$/);
    expect(training.steps).toBe(3);
    expect(Number.isFinite(training.finalLoss)).toBe(true);

    // Evaluated like any version, with the adapter attached to the host's context.
    expect(result.evaluation).toMatchObject({ tasks: [TASK], evaluated: 1, parentPassed: 1, parentEvaluated: 1 });
    expect(host.info?.lora.map((l) => l.file)).toEqual([result.adapterFile]);

    const archive = await Archive.open(workspace);
    try {
      const node = archive.requireNode(result.nodeId);
      const parent = archive.requireNode("n0");
      expect(node.parentId).toBe("n0");
      expect(node.tree).toBe(parent.tree); // same scaffold
      expect(node.identity.adapterHash).toBe(result.adapterHash);
      expect(parent.identity.adapterHash).toBeNull();
      expect(node.identity.modelHash).toBe(modelSha);
      expect(node.origin.kind).toBe("adapter");
      expect((node.origin.diagnosis as AdapterTraining).datasetHash).toBe(training.datasetHash);
      expect(archive.results(node.id)).toHaveLength(1);
      // accept / revert work on adapter versions like on any other.
      expect(await archive.accept(node.id)).toBeNull();
      expect(archive.activeNode()?.id).toBe(node.id);
      await archive.revert(node.id);
      expect(archive.activeNode()).toBeNull();
    } finally {
      await archive.dispose();
    }

    // `clade run --node`: the plain parent runs without the workspace's adapter, the adapter version with it.
    const runs = new AgentRuns(host);
    const params = { suite: "builtin", taskId: TASK, workspace, model: modelSpec, limits: { maxTurns: 1 } };
    const plain = await runs.run({ ...params, node: "n0" });
    expect(plain.versionId).toBe("n0");
    expect(host.info?.lora).toEqual([]);
    const adapted = await runs.run({ ...params, node: result.nodeId });
    expect(adapted.versionId).toBe(result.nodeId);
    expect(host.info?.lora.map((l) => l.file)).toEqual([result.adapterFile]);

    // A scripted replay cannot stand in for an adapter version.
    const scripted = await runs.run({ ...params, node: result.nodeId, model: undefined, scripted: goodScript }).catch((e: unknown) => e);
    expect(CladeError.is(scripted, "invalid-argument")).toBe(true);
  }, 240_000);

  it("refuses to train with a model other than the one the versions were evaluated with", async () => {
    const other = await generateTestModel({ out: path.join(dir, "other.gguf"), seed: 6 });
    const error = await trainVersion(host, { workspace, model: { model: other.file, threads: 1, contextSize: 2048, gpu: "cpu" }, from: "n0", evalTasks: 0 }).catch((e: unknown) => e);
    expect(CladeError.is(error, "invalid-argument")).toBe(true);
    expect((error as CladeError).message).toContain("was evaluated with model");
  }, 120_000);
});
