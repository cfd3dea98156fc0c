// `clade run` through REAL inference: the seed agent on a built-in task with a generated chat model
// and with the real stories260K model. Tiny models do not solve tasks; the run must still be
// complete, well-formed, recorded (trajectory) and scored by the hidden tests.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../extension/protocol/run";
import { parseJson, runCli } from "../helpers/cli";
import { generatedModel, realModelPath } from "../helpers/models";

const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-run-real-"));

async function runWith(model: string): Promise<RunResult> {
  const result = await runCli(["run", "--suite", "builtin", "--task", "t0-subtract-order", "--model", model, "--threads", "1", "--max-turns", "2", "--workspace", workspace, "--json"], { timeoutMs: 170_000 });
  expect(result.code, result.stderr).toBe(0);
  return parseJson<RunResult>(result);
}

function checkWellFormed(run: RunResult): void {
  expect(["finished", "turn-limit", "token-limit", "timeout"]).toContain(run.stopReason);
  expect(run.error).toBeUndefined();
  expect(run.llmCalls).toBeGreaterThanOrEqual(1);
  expect(run.usage.promptTokens).toBeGreaterThan(0);
  expect(run.usage.completionTokens).toBeGreaterThan(0);
  expect(run.test).not.toBeNull();
  expect(run.passed).toBe(run.test!.exitCode === 0);
  expect(run.trajectory.startsWith(path.join(workspace, ".clade", "runs", "seed"))).toBe(true);
  expect(existsSync(run.trajectory)).toBe(true);
  const records = readFileSync(run.trajectory, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  expect(records[0].type).toBe("start");
  expect(records.filter((r) => r.type === "llm")).toHaveLength(run.llmCalls);
  expect(records.filter((r) => r.type === "llm").every((r) => r.result && r.result.usage.completionTokens > 0)).toBe(true);
  expect(records.at(-1).type).toBe("end");
  expect(records.at(-1).result.passed).toBe(run.passed);
}

describe("clade run through real inference", () => {
  it("runs the seed agent with a generated chat model: grammar-constrained tool calls, scored", async () => {
    const run = await runWith((await generatedModel()).file);
    console.log(`[clade run, generated model] ${run.stopReason}, ${run.turns} turns, ${run.usage.completionTokens} tokens generated, passed=${run.passed}`);
    checkWellFormed(run);
    const records = readFileSync(run.trajectory, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    // Every model reply is one parseable tool call; the grammar guarantees it unless the reply was cut by max tokens.
    for (const call of records.filter((r) => r.type === "llm")) {
      if (call.result.stopReason !== "maxTokens") expect(call.result.toolCalls).toHaveLength(1);
    }
  });

  it("runs the seed agent with the real stories260K model", async () => {
    const run = await runWith(realModelPath());
    console.log(`[clade run, stories260K] ${run.stopReason}, ${run.turns} turns, ${run.usage.completionTokens} tokens generated, passed=${run.passed}`);
    checkWellFormed(run);
  });
});
