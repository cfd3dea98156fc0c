// `trainEvery` (`clade evolve --train-every K`) in a real session: agent runs use the SCRIPTED
// oracle provider (test/helpers/oracleProvider.ts: the seed fails, a self-edited child solves most
// tasks, with real sandboxes and hidden tests), while the trainer is the real one the engine wires
// in (trainVersion: dataset rendered with the generated toy model's chat wrapper, native LoRA
// trainer, 1 thread, adapter child in the archive). The test checks that training is triggered,
// only after K new passed runs each time, that the adapter children are real archive versions, and
// that the session's adapter switcher attaches their adapter to the model host when they run.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Archive } from "../../extension/engine/archive/archive";
import { runSession } from "../../extension/engine/evolve/session";
import type { SessionOptions } from "../../extension/engine/evolve/sessionTypes";
import { ModelHost } from "../../extension/engine/model/modelHost";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { adapterFile } from "../../extension/engine/train/adapterStore";
import { adapterSwitcher, trainVersion } from "../../extension/engine/train/trainService";
import { CladeError } from "../../extension/protocol/errors";
import { OracleProvider } from "../helpers/oracleProvider";
import { ensureTrainer } from "../helpers/trainer";

const K = 3;

let dir: string;
let modelFile: string;
let host: ModelHost;

beforeAll(async () => {
  ensureTrainer();
  dir = await mkdtemp(path.join(os.tmpdir(), "clade-train-every-"));
  modelFile = (await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 5 })).file;
  host = new ModelHost({ log: () => undefined, defaultCacheDir: path.join(dir, "cache") });
  // Loaded up front as in the engine (evolveService.ts): the adapter switcher needs a loaded model.
  await host.load({ model: modelFile, threads: 1, contextSize: 2048, gpu: "cpu", sequences: 1 });
}, 120_000);

afterAll(async () => {
  await host?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const passedRuns = (archive: Archive) => archive.nodes().reduce((sum, n) => sum + archive.results(n.id).filter((r) => r.passed).length, 0);

async function baseOptions(workspace: string): Promise<SessionOptions> {
  return {
    workspace, suite: "builtin", strategy: "dgm", budgetEvaluations: 14, parallel: 1, seed: 7, provider: new OracleProvider(await openBuiltinSuite().list()), modelHash: "scripted",
    gateTasks: 2, limits: { maxTurns: 8 },
    strategyOptions: { generational: { stages: [4, 4], thresholds: [0.4], evaluateRootFully: false, parentsPerGeneration: 2 } },
  };
}

describe("a session with --train-every", () => {
  it(`trains an adapter version after every ${K} new passed runs and runs it with its adapter attached`, async () => {
    const workspace = path.join(dir, "ws");
    const calls: { parentId: string; passedAtCall: number; nodeId: string }[] = [];
    const attached: (string | null)[] = [];
    const messages: string[] = [];
    // Job ends and trainings in order, with the passed runs since the last training at each.
    const timeline: { kind: "job" | "train"; since: number }[] = [];
    let since = 0;
    const modelSpec = { model: modelFile, threads: 1, contextSize: 2048, gpu: "cpu" as const };
    const switcher = adapterSwitcher(host, workspace);
    const summary = await runSession({
      ...(await baseOptions(workspace)),
      trainEvery: K,
      // The engine's wiring (evolveService.ts), with a window large enough for the oracle's trajectories.
      trainAdapter: async (archive, parentId, signal) => {
        const passedAtCall = passedRuns(archive);
        const result = await trainVersion(host, { workspace, model: modelSpec, from: parentId, evalTasks: 0, rank: 4, epochs: 1, contextSize: 2048, threads: 1 }, { archive, signal });
        calls.push({ parentId, passedAtCall, nodeId: result.nodeId });
        timeline.push({ kind: "train", since });
        since = 0;
        return result.nodeId;
      },
      useAdapter: async (file) => {
        attached.push(file);
        await switcher(file);
      },
      onEvaluation: (record) => void (since += Number(record.passed)),
      onProgress: (p) => {
        if (!p.message) return;
        messages.push(p.message);
        if (!p.message.startsWith("trained adapter version")) timeline.push({ kind: "job", since });
      },
    });
    console.log(`[train-every ${K}] ${summary.nodes} versions, ${summary.evaluationsDone} evaluations, stop ${summary.stopReason}; trainings at passed runs ${calls.map((c) => c.passedAtCall).join(", ")}`);

    const archive = await Archive.open(workspace, { readOnly: true });
    try {
      // Training was triggered, each time only once K more runs had passed than at the last training.
      expect(calls.length).toBeGreaterThanOrEqual(1);
      calls.forEach((call, i) => expect(call.passedAtCall - (i === 0 ? 0 : calls[i - 1].passedAtCall)).toBeGreaterThanOrEqual(K));
      // ... and as soon as it was due: with --parallel 1 the trigger is checked after every job, so a
      // job that brings the count to K is followed by a training, not by another job.
      timeline.forEach((event, i) => {
        if (event.kind === "job" && event.since >= K && i + 1 < timeline.length) expect(timeline[i + 1].kind).toBe("train");
      });
      expect(messages.filter((m) => m.startsWith("trained adapter version")).length).toBe(calls.length);
      expect(messages.some((m) => m.startsWith("training from"))).toBe(false);

      // Every training made a real adapter child of the picked version.
      const adapters = archive.nodes().filter((n) => n.origin.kind === "adapter");
      expect(adapters.map((n) => n.id).sort()).toEqual(calls.map((c) => c.nodeId).sort());
      for (const call of calls) {
        const node = archive.requireNode(call.nodeId);
        expect(node.parentId).toBe(call.parentId);
        expect(node.tree).toBe(archive.requireNode(call.parentId).tree);
        expect(node.identity.adapterHash).toMatch(/^[0-9a-f]{64}$/);
      }
      // Adapter versions evaluated by the session ran with their adapter attached; plain ones without.
      const evaluatedAdapters = adapters.filter((n) => archive.results(n.id).length > 0);
      for (const node of evaluatedAdapters) expect(attached).toContain(adapterFile(workspace, node.identity.adapterHash!));
      expect(attached).toContain(null);
    } finally {
      await archive.dispose();
    }
  }, 60_000);

  it("refuses trainEvery without a trainer or with parallel > 1", async () => {
    const noTrainer = await runSession({ ...(await baseOptions(path.join(dir, "ws-refused"))), trainEvery: K }).catch((e: unknown) => e);
    expect(CladeError.is(noTrainer, "invalid-argument")).toBe(true);
    const parallel = await runSession({ ...(await baseOptions(path.join(dir, "ws-refused"))), trainEvery: K, parallel: 2, trainAdapter: async () => "never" }).catch((e: unknown) => e);
    expect(CladeError.is(parallel, "invalid-argument")).toBe(true);
    expect((parallel as CladeError).message).toContain("--parallel 1");
  }, 30_000);
});
