// Killing the processes the engine starts: an agent process mid-run (the run is recorded as a
// harness failure and the next run works), and the LoRA trainer mid-training (a clear CladeError,
// and the next training works).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import type { LlmProvider } from "../../extension/engine/agent/llmProvider";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider } from "../../extension/engine/agent/scriptedProvider";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { trainLora } from "../../extension/engine/train/trainerProcess";
import type { ChatParams, ChatResult } from "../../extension/protocol/model";
import { userMessage, type SuiteReport } from "./suiteReport";

/** Pids of this process's descendants whose command line contains `needle`. */
export function descendantsMatching(needle: string): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const isMine = (pid: number): boolean => {
    for (let p = parent.get(pid), depth = 0; p && depth < 64; p = parent.get(p), depth++) if (p === process.pid) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    try {
      return isMine(pid) && readFileSync(`/proc/${pid}/cmdline`, "latin1").includes(needle);
    } catch {
      return false;
    }
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A provider whose first reply comes late, so that there is time to kill the agent process. */
class SlowProvider implements LlmProvider {
  async chat(_params: ChatParams): Promise<ChatResult> {
    await sleep(3000);
    return { text: "", toolCalls: [{ id: "x", name: "finish", arguments: { summary: "late" } }], stopReason: "toolCall", usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 }, timings: { firstTokenMs: 0, totalMs: 0 } };
  }
}

export async function agentKillCase(report: SuiteReport): Promise<void> {
  await report.attempt("SIGKILL an agent process mid-run: failure recorded, the next run works", async () => {
    const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
    if (!build.ok) throw new Error(build.message);
    const task = (await openBuiltinSuite().get("t0-subtract-order"))!;
    const runsDir = path.join(os.tmpdir(), `clade-crash-runs-${process.pid}`);
    const running = runTask({ task, versionId: "seed", bundle: build.bundle, provider: new SlowProvider(), runsDir });
    let killed: number[] = [];
    for (let i = 0; i < 100 && !killed.length; i++) {
      await sleep(50);
      killed = descendantsMatching("agentHarness.mjs");
    }
    for (const pid of killed) process.kill(pid, "SIGKILL");
    const failed = await running;
    const next = await runTask({ task, versionId: "seed", bundle: build.bundle, runsDir, provider: new ScriptedProvider([
      { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
      { toolCall: { name: "finish", arguments: { summary: "fixed" } } },
    ]) });
    const ok = killed.length > 0 && failed.stopReason === "harness-error" && !failed.passed && Boolean(failed.error?.message) && next.passed;
    return { ok, detail: `killed pid ${killed.join(",") || "(none found)"}; run recorded as ${failed.stopReason}: "${failed.error?.message.split("\n")[0]}"; next run ${next.passed ? "passed" : "failed"}` };
  });
}

export async function trainerKillCase(report: SuiteReport, work: string): Promise<void> {
  await report.attempt("SIGKILL the LoRA trainer mid-training: a clear error, the next training works", async () => {
    const model = process.env.CLADE_TEST_MODEL ? path.resolve(process.env.CLADE_TEST_MODEL) : path.resolve("..", "shared", "models", "stories260K.gguf");
    const dataset = path.join(work, "train.jsonl");
    const rows = Array.from({ length: 4 }, (_, r) => JSON.stringify({ tokens: Array.from({ length: 40 }, (_, i) => 1 + ((r * 37 + i * 11) % 500)) }));
    writeFileSync(dataset, rows.join("\n") + "\n");
    const base = { model, dataset, rank: 4, contextSize: 256, threads: 1, seed: 1 };
    let killed: number[] = [];
    const error = await trainLora({ ...base, output: path.join(work, "killed.gguf"), epochs: 100_000 }, {
      onProgress: () => {
        if (killed.length) return;
        killed = descendantsMatching("clade-lora-train");
        for (const pid of killed) process.kill(pid, "SIGKILL");
      },
    }).then(() => null, (e: unknown) => e);
    const next = await trainLora({ ...base, output: path.join(work, "after.gguf"), epochs: 2 });
    // We sent the SIGKILL, not the kernel: the user must not be told that memory ran out.
    const reason = (error as { reason?: string } | null)?.reason;
    const ok = killed.length > 0 && error !== null && reason === "training-failed" && /another process/.test(userMessage(error)) && next.steps > 0;
    return { ok, detail: `killed pid ${killed.join(",") || "(none)"}; the user sees: ${userMessage(error)}; next training: ${next.steps} steps, adapter written` };
  });
}
