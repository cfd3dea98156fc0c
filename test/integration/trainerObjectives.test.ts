// The trainer's loss weights and its DPO objective, against values worked out by hand, on the
// generated toy model (1 thread):
// - per-token weights: the reported loss of a sequence weighted (1, 0.5) at two positions equals
//   (ce1 + 0.5 ce2) / 1.5, with ce1, ce2 measured alone (an adapter with B = 0 is the base model);
// - DPO: at the first step the policy is the reference, so the margin is 0 and the loss ln 2 =
//   0.693147; training then raises the chosen answer's probability over the rejected one, which
//   node-llama-cpp sees through the adapter; malformed pair data is refused naming the line.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { trainLora, type TrainLoraOptions, type TrainProgress } from "../../extension/engine/train/trainerProcess";
import { ensureTrainer } from "../helpers/trainer";

let dir: string;
let llama: Llama;
let model: LlamaModel;
let modelFile: string;

beforeAll(async () => {
  ensureTrainer({ rebuild: true });
  dir = await mkdtemp(path.join(tmpdir(), "clade-trainer-objectives-"));
  modelFile = (await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 11 })).file;
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: modelFile });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function jsonl(name: string, rows: unknown[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

const options = (name: string, dataset: string, extra: Partial<TrainLoraOptions> = {}): TrainLoraOptions => ({
  model: modelFile, dataset, output: path.join(dir, `${name}.gguf`), rank: 4, contextSize: 256, threads: 1, schedule: "constant", seed: 5, ...extra,
});

/** Held-out loss of `evalRows` after one step at a learning rate too small to move the adapter (B stays ~0: the base model). */
async function baseLoss(name: string, evalRows: { tokens: Token[]; mask: number[] }[]): Promise<number> {
  const train = await jsonl(`${name}-train.jsonl`, [evalRows[0]]);
  const evalData = await jsonl(`${name}-eval.jsonl`, evalRows);
  const evals: number[] = [];
  await trainLora(options(name, train, { evalDataset: evalData, learningRate: 1e-12, maxSteps: 1 }), { onEvent: (e) => e.type === "eval" && evals.push(e.loss) });
  expect(evals).toHaveLength(1);
  return evals[0];
}

describe("loss weights", () => {
  it("a sequence weighted (1, 0.5) at two positions reports (ce1 + 0.5 ce2) / 1.5", async () => {
    const tokens = model.tokenize("Files: main test data.\nTask: open the file data.\nOpen: data");
    const at = (weights: Record<number, number>) => ({ tokens, mask: tokens.map((_, i) => weights[i] ?? 0) });
    const [i, j] = [5, tokens.length - 1];
    const ce1 = await baseLoss("w1", [at({ [i]: 1 })]);
    const ce2 = await baseLoss("w2", [at({ [j]: 1 })]);
    const both = await baseLoss("w12", [at({ [i]: 1, [j]: 0.5 })]);
    expect(ce1).toBeGreaterThan(0);
    expect(ce2).toBeGreaterThan(0);
    expect(Math.abs(ce1 - ce2)).toBeGreaterThan(1e-3); // distinct, so the weighting is visible
    expect(both).toBeCloseTo((ce1 + 0.5 * ce2) / 1.5, 4);
  });
});

describe("dpo", () => {
  const prompt = "Files: main test data model.\nTask: open the file main.\nOpen:";
  const side = (answer: string) => {
    const p = model.tokenize(prompt);
    const a = model.tokenize(answer);
    expect(a).toHaveLength(1);
    return { tokens: [...p, ...a], mask: [...p.map(() => 0), 1] };
  };

  async function answerLogOdds(adapter?: string): Promise<number> {
    const context = await model.createContext({ contextSize: 256, threads: 1, ...(adapter ? { lora: { adapters: [{ filePath: adapter, scale: 1 }] } } : {}) });
    try {
      const p = model.tokenize(prompt);
      const [main, test] = [model.tokenize(" main")[0], model.tokenize(" test")[0]];
      const out = await context.getSequence().controlledEvaluate([...p.slice(0, -1), [p[p.length - 1], { generateNext: { logits: { filter: { tokens: [main, test] } } } }]]);
      const logits = out[p.length - 1]!.next!.logits!;
      return logits.get(main)! - logits.get(test)!;
    } finally {
      await context.dispose();
    }
  }

  it("starts at margin 0 and loss ln 2, and raises the chosen answer over the rejected one", async () => {
    const data = await jsonl("pairs.jsonl", [{ chosen: side(" main"), rejected: side(" test") }]);
    const progress: TrainProgress[] = [];
    const trained = await trainLora(options("dpo", data, { objective: "dpo", beta: 0.5, learningRate: 1e-2, maxSteps: 20, epochs: 10 }), { onProgress: (p) => progress.push(p) });
    expect(trained.steps).toBe(20);
    expect(progress[0].margin).toBeCloseTo(0, 6);
    expect(progress[0].loss).toBeCloseTo(Math.log(2), 6);
    const last = progress[progress.length - 1];
    expect(last.margin!).toBeGreaterThan(1);
    expect(last.loss).toBeLessThan(Math.log(2));
    // The implicit reward margin is the change in log-odds of the two answers, measured independently:
    const before = await answerLogOdds();
    const after = await answerLogOdds(trained.adapter);
    expect(after - before).toBeGreaterThan(1);
  });

  it("refuses a pair line without a rejected side, naming the line", async () => {
    const data = await jsonl("bad-pairs.jsonl", [{ chosen: side(" main"), rejected: side(" test") }, { chosen: side(" main") }]);
    const error = await trainLora(options("dpo-bad", data, { objective: "dpo", maxSteps: 2 })).catch((e: unknown) => e);
    expect(CladeError.is(error)).toBe(true);
    expect((error as CladeError).message).toMatch(/bad-pairs\.jsonl:2: a dpo line needs "chosen" and "rejected"/);
  });
});
