// `clade bench inference` and `clade bench prefix-reuse` run end to end through the real CLI, the
// real engine process and real llama.cpp on the generated toy model, with a tiny configuration, and
// print well-formed reports. Functional only: no speed thresholds (the machine is shared).
import { describe, expect, it } from "vitest";
import type { BenchReport } from "../../extension/engine/bench/benchReport";
import { runCli, type CliResult } from "../helpers/cli";

function reports(result: CliResult): BenchReport[] {
  if (result.code !== 0) throw new Error(`clade bench failed (exit ${result.code}).\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  // One JSON document: an array of reports.
  return JSON.parse(result.stdout) as BenchReport[];
}

const positive = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0;

describe("clade bench inference", () => {
  it("reports engine against direct node-llama-cpp tokens/s per P, and engine RSS against node-llama-cpp alone", async () => {
    const all = reports(await runCli(["bench", "inference", "--models", "toy", "--parallel", "1,2", "--repetitions", "1", "--min-seconds", "0", "--turns", "2", "--max-tokens", "8", "--json"], { timeoutMs: 170_000 }));
    const inference = all.filter((r) => r.name === "inference");
    expect(inference.map((r) => r.inputs.parallel)).toEqual([1, 2]);
    for (const r of inference) {
      expect(positive(r.measured) && positive(r.reference)).toBe(true);
      expect(r.ratio).toBeCloseTo((r.measured as number) / (r.reference as number), 2);
      expect(r.repetitions).toBe(1);
      expect(r.inputs.model).toBe("toy");
      expect(r.inputs.modelSha256).toMatch(/^[0-9a-f]{64}$/);
      const details = r.details as { engineTokensPerSecond: number[]; referenceTokensPerSecond: number[]; generatedPerRound: number[] };
      expect(details.engineTokensPerSecond).toHaveLength(1);
      expect(details.referenceTokensPerSecond).toHaveLength(1);
      // P runs of 2 turns of at most 8 tokens each, and something was generated.
      expect(details.generatedPerRound[0]).toBeGreaterThan(0);
      expect(details.generatedPerRound[0]).toBeLessThanOrEqual((r.inputs.parallel as number) * 2 * 8);
    }
    const memory = all.find((r) => r.name === "inference-memory");
    expect(memory && positive(memory.measured) && positive(memory.reference)).toBe(true);
    // The reference fills its KV cache as far as the engine's sequences were filled.
    expect(memory!.inputs.tokensPerSequence as number).toBeGreaterThan(0);
    expect(positive((memory!.details as { engineHeapUsedMiB?: number }).engineHeapUsedMiB)).toBe(true);
  });

  it("adds repetitions until each side has run --min-seconds", async () => {
    const all = reports(await runCli(["bench", "inference", "--models", "toy", "--parallel", "1", "--repetitions", "1", "--min-seconds", "1", "--turns", "2", "--max-tokens", "32", "--json"], { timeoutMs: 170_000 }));
    const [r] = all.filter((x) => x.name === "inference");
    const details = r.details as { engineMs: number[]; referenceMs: number[] };
    expect(r.repetitions).toBeGreaterThan(1);
    expect(details.engineMs).toHaveLength(r.repetitions);
    expect(details.referenceMs).toHaveLength(r.repetitions);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    // Stopped by the time, or by the cap of 60 repetitions when rounds are very short.
    if (r.repetitions < 60) expect(Math.min(sum(details.engineMs), sum(details.referenceMs))).toBeGreaterThanOrEqual(1000);
    // ...and not a repetition more than that took (one round of a side is far below a second).
    expect(Math.min(sum(details.engineMs.slice(0, -1)), sum(details.referenceMs.slice(0, -1)))).toBeLessThan(1000);
  });
});

describe("clade bench prefix-reuse", () => {
  it("reports first-token times, and later runs reuse the shared system prompt and tools", async () => {
    const all = reports(await runCli(["bench", "prefix-reuse", "--models", "toy", "--repetitions", "1", "--turns", "2", "--max-tokens", "8", "--json"], { timeoutMs: 170_000 }));
    const [turns, runs] = all;
    expect(turns.name).toBe("prefix-reuse");
    expect(runs.name).toBe("prefix-reuse-runs");
    expect(positive(turns.measured) && positive(turns.reference) && positive(runs.measured)).toBe(true);
    const details = turns.details as { promptTokens: number[][][]; cachedPromptTokens: number[][][] };
    const [first, ...later] = details.cachedPromptTokens[0];
    const prompts = details.promptTokens[0];
    expect(first[0]).toBe(0); // a fresh context: nothing cached
    expect(first[1]).toBeGreaterThanOrEqual(prompts[0][0]); // turn 2 reuses all of turn 1's prompt
    // Later runs land on a sequence (of 2) that holds the shared system prompt + tools.
    for (const run of later) expect(run[0]).toBeGreaterThan(prompts[0][0] / 2);
    // The floor: the same ratios with node-llama-cpp alone on the same token counts.
    for (const report of [turns, runs]) {
      const floor = (report.details as { llamaCppFloor?: number; llamaCppFloorNote?: string }).llamaCppFloor;
      expect(positive(floor)).toBe(true);
      expect((report.details as { llamaCppFloorNote: string }).llamaCppFloorNote).toMatch(/cold turn 1 [\d.]+ ms/);
    }
  });
});
