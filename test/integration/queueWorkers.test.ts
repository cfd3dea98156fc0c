// Evaluation workers on a real job queue: Debian's redis-server (AOF on) started here, `clade worker`
// processes (each with its own engine and the generated model), and `clade evolve --queue` sessions.
// Checked on the archive's own event log after each scenario: every evaluation that started ended
// exactly once (finished or abandoned), no run is recorded twice, no (version, task) has two results.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EvolveResult } from "../../extension/protocol/engine";
import { parseJson, runCli } from "../helpers/cli";
import { generatedModel, repoRoot } from "../helpers/models";
import { startRedis, startWorker, waitForWorkers, type TestRedis, type TestWorker } from "../helpers/redis";

let redis: TestRedis;
let model: string;
const workers: TestWorker[] = [];

beforeAll(async () => {
  model = (await generatedModel()).file;
  redis = await startRedis();
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
});

afterAll(async () => {
  await redis?.stop();
});

function evolveArgs(workspace: string, extra: string[] = []): string[] {
  return ["evolve", "--workspace", workspace, "--model", model, "--threads", "1", "--strategy", "hgm", "--budget-evals", "8", "--budget-expansions", "3", "--max-turns", "2", "--gate-tasks", "0", "--parallel", "2", "--seed", "3", "--queue", redis.url, "--json", ...extra];
}

interface LogEvent { type: string; runId?: string; nodeId?: string; taskId?: string }

/** The archive's evaluation events: every start ends once, no run or (version, task) twice. */
function checkEvaluations(workspace: string): { started: number; finished: number; abandoned: number } {
  const events = readFileSync(path.join(workspace, ".clade", "archive.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as LogEvent);
  const started = events.filter((e) => e.type === "evaluation-started");
  const finished = events.filter((e) => e.type === "evaluation-finished");
  const abandoned = events.filter((e) => e.type === "evaluation-abandoned");
  const ends = new Map<string, number>();
  for (const e of [...finished, ...abandoned]) ends.set(e.runId!, (ends.get(e.runId!) ?? 0) + 1);
  for (const s of started) expect(ends.get(s.runId!), `run ${s.runId} ended ${ends.get(s.runId!) ?? 0} times`).toBe(1);
  const pairs = finished.map((e) => `${e.nodeId}/${e.taskId}`);
  expect(new Set(pairs).size, `a (version, task) was recorded twice: ${pairs.join(" ")}`).toBe(pairs.length);
  return { started: started.length, finished: finished.length, abandoned: abandoned.length };
}

/** Resolves once a job is running on some worker. */
async function jobRunning(name: string, timeoutMs = 60_000): Promise<void> {
  const queue = new Queue(name, { connection: { host: "127.0.0.1", port: redis.port } });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await queue.getActiveCount()) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("no job became active");
  } finally {
    await queue.close();
  }
}

describe("evaluations on BullMQ workers", () => {
  it("a session's evaluations all run on the 2 workers; progress counts the remote work", async () => {
    workers.push(startWorker(redis.url, model), startWorker(redis.url, model));
    await waitForWorkers(redis.url, 2);
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-queue-"));
    const result = await runCli(evolveArgs(workspace), { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<EvolveResult>(result);
    expect(summary.remote).toMatchObject({ workers: 2 });
    expect(summary.evaluationsDone).toBeGreaterThanOrEqual(1);
    // Every evaluation ran on a worker: none in the session's own process.
    expect(summary.remote!.done).toBe(summary.evaluationsDone);
    const counts = checkEvaluations(workspace);
    expect(counts.finished).toBe(summary.evaluationsDone);
    const ran = workers.map((w) => (w.log().match(/job \S+ done/g) ?? []).length);
    expect(ran.reduce((a, b) => a + b, 0)).toBe(summary.evaluationsDone);
  });

  it("a worker SIGKILLed mid-job: the job is run by another worker once its lock lapses; nothing lost or counted twice", async () => {
    const first = startWorker(redis.url, model);
    workers.push(first);
    await waitForWorkers(redis.url, 1);
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-queue-kill-"));
    const session = runCli(evolveArgs(workspace), { timeoutMs: 170_000 });
    await jobRunning(await waitForQueue());
    await first.kill();
    const second = startWorker(redis.url, model);
    workers.push(second);
    const result = await session;
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<EvolveResult>(result);
    expect(summary.evaluationsDone).toBeGreaterThanOrEqual(1);
    expect(second.log()).toMatch(/job \S+ done/);
    checkEvaluations(workspace);
  });

  it("Redis restarted mid-session (AOF): the session and the workers reconnect and finish", async () => {
    workers.push(startWorker(redis.url, model), startWorker(redis.url, model));
    await waitForWorkers(redis.url, 2);
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-queue-redis-"));
    const session = runCli(evolveArgs(workspace), { timeoutMs: 170_000 });
    await jobRunning(await waitForQueue());
    await redis.restart();
    const result = await session;
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<EvolveResult>(result).evaluationsDone).toBeGreaterThanOrEqual(1);
    checkEvaluations(workspace);
  });

  it("the session SIGKILLed with a job in flight and resumed: it re-attaches to the finished result", async () => {
    workers.push(startWorker(redis.url, model));
    await waitForWorkers(redis.url, 1);
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-queue-resume-"));
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "clade.mjs"), ...evolveArgs(workspace)], { cwd: repoRoot, detached: true, stdio: "ignore" });
    await jobRunning(await waitForQueue());
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    // The worker finishes the job meanwhile; the resumed session records it instead of re-running it.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const resumed = await runCli(evolveArgs(workspace, ["--verbose"]), { timeoutMs: 170_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(parseJson<EvolveResult>(resumed).resumed).toBe(true);
    expect(resumed.stderr).toMatch(/re-attached: \d+ evaluation\(s\) finished on the workers/);
    checkEvaluations(workspace);
  });

  it("a worker with another model is never given the jobs; the session says why none runs", async () => {
    const other = (await generatedModel({ seed: 2 })).file;
    // The registry entries of the workers SIGKILLed above would count as live for 15 s more.
    spawnSync("redis-cli", ["-p", String(redis.port), "del", "clade:workers"]);
    workers.push(startWorker(redis.url, other));
    await waitForWorkers(redis.url, 1);
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-queue-mismatch-"));
    const result = await runCli(evolveArgs(workspace, ["--queue-no-worker-ms", "2000", "--verbose"]), { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<EvolveResult>(result);
    expect(summary.evaluationsDone).toBe(0);
    expect(summary.remote).toMatchObject({ workers: 0, idle: expect.stringMatching(/none can take these jobs/) });
    expect(result.stderr).toMatch(/No worker took the evaluation: 1 worker\(s\) are connected but none can take these jobs: .*model Clade Test Model toy \w+, this session's \w+\)/);
    expect(workers[0]!.log()).not.toMatch(/job \S+ done/);
    checkEvaluations(workspace);
  });

  it("a job past its timeout is abandoned and its late result ignored (never a second evaluation)", async () => {
    workers.push(startWorker(redis.url, model));
    await waitForWorkers(redis.url, 1);
    const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-queue-slow-"));
    const result = await runCli(evolveArgs(workspace, ["--queue-job-timeout-ms", "200"]), { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    const counts = checkEvaluations(workspace);
    expect(counts.abandoned).toBeGreaterThanOrEqual(1);
    expect(counts.finished).toBe(0);
    // The worker does finish the jobs; none of their results becomes an evaluation.
    const deadline = Date.now() + 60_000;
    while (!/job \S+ done/.test(workers[0]!.log()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(workers[0]!.log()).toMatch(/job \S+ done/);
    expect(checkEvaluations(workspace).finished).toBe(0);
  });
});

/** The session's queue, once it exists (the session creates it with its first job). */
async function waitForQueue(timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = parseJson<{ queues: { name: string }[] }>(await runCli(["queue", "status", "--queue", redis.url, "--json"]));
    if (status.queues.length) return status.queues[0]!.name;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the session made no queue");
}
