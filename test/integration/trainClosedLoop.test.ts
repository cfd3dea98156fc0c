// The closed loop (STaR-style) in CI, smaller than `clade bench closed-loop`: the generated toy
// model samples answers to synthetic "open the named file" tasks (4 options, chance 25%), the
// successes train a LoRA adapter with Clade's trainer (1 thread, loss on the answer token only),
// and the success rate on held-out tasks of the family rises, sampled with the same settings and
// the same random numbers before and after.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeChoiceTasks } from "../../extension/engine/train/choiceTasks";
import { runClosedLoop } from "../../extension/engine/train/closedLoop";
import { ensureTrainer } from "../helpers/trainer";

let dir: string;

beforeAll(async () => {
  ensureTrainer();
  dir = await mkdtemp(path.join(os.tmpdir(), "clade-closed-loop-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("closed loop", () => {
  it("draws distinct tasks and keeps held-out tasks apart from training tasks", () => {
    const train = makeChoiceTasks(64, 1);
    const heldOut = makeChoiceTasks(48, 2, 4, new Set(train.map((t) => t.key)));
    expect(new Set(train.map((t) => t.key)).size).toBe(64);
    expect(heldOut.some((t) => train.some((u) => u.key === t.key))).toBe(false);
    for (const task of [...train, ...heldOut]) expect(task.prompt).toContain(`open the file${task.options[task.answer]}.`);
    // The right option is spread over the positions, so "always the first" cannot score.
    expect(new Set(train.map((t) => t.answer)).size).toBe(4);
  });

  it("raises the held-out success rate by training on its own sampled successes", async () => {
    const result = await runClosedLoop({ workDir: dir, trainTasks: 64, heldOutTasks: 48, samples: 4, epochs: 6, rank: 8, learningRate: 5e-3, seed: 1, threads: 1 });
    const { heldOutBefore: before, heldOutAfter: after } = result;
    console.log(`closed loop: held-out ${before.successes}/${before.samples} (${(100 * before.rate).toFixed(1)}%) -> ${after.successes}/${after.samples} (${(100 * after.rate).toFixed(1)}%); ` +
      `expected ${(100 * before.expectedRate).toFixed(1)}% -> ${(100 * after.expectedRate).toFixed(1)}%; trained on ${result.trainSampling.examples} successes, ${result.training.steps} steps, ${result.wallMs} ms`);
    expect(result.trainSampling.successes).toBeGreaterThan(0);
    expect(result.trainSampling.examples).toBe(result.trainSampling.solvedTasks);
    expect(before.samples).toBe(48 * 4);
    // The base model is near chance; the adapter beats it clearly on tasks it never saw.
    expect(before.expectedRate).toBeLessThan(0.4);
    expect(after.rate).toBeGreaterThan(before.rate + 0.1);
    expect(after.expectedRate).toBeGreaterThan(before.expectedRate + 0.1);
  }, 180_000);
});
