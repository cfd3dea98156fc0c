// `clade bench distributed`: evaluations per minute with 1, 2 and 4 `clade worker` processes on a
// Redis queue, against the same evaluations in-process, in one run; and the queue's added latency
// per evaluation (one worker, one job at a time: the session's wall time of a job minus the run's
// own wall time on the worker) against a T0 evaluation's in-process time. The same version (the seed,
// from an archive), the same T0 tasks, the same generated model everywhere. Needs Debian's
// redis-server. On a 2-core machine every worker shares the same 2 cores, so throughput is flat past
// 2 workers: the figure shows the queue's cost, not a speed-up this machine cannot have.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { buildAgent } from "../agent/buildAgent";
import { runTask } from "../agent/runTask";
import { Archive } from "../archive/archive";
import { generateTestModel } from "../model/testModel/generateTestModel";
import { ModelHost } from "../model/modelHost";
import { cladeBuild, liveWorkers, queueName, REGISTRY_KEY } from "../queue/evalQueue";
import { RemoteEvaluations } from "../queue/remoteEvaluations";
import { seedAgentDir } from "../resources";
import { openBuiltinSuite } from "../tasks/builtinSuite";
import { freePort } from "../util/freePort";
import { median, round, type BenchReport } from "./benchReport";

export interface DistributedOptions {
  /** The `clade` CLI entry (dist/cli.mjs) the workers run. */
  cliPath: string;
  workers?: number[];
  tasks?: number;
  maxTurns?: number;
  threads?: number;
  /** Phase lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export async function benchDistributed(options: DistributedOptions): Promise<BenchReport[]> {
  const counts = options.workers ?? [1, 2, 4];
  const log = options.log ?? (() => undefined);
  const threads = options.threads ?? 1;
  const limits = { maxTurns: options.maxTurns ?? 3 };
  if (spawnSync("redis-server", ["--version"]).status !== 0) throw new Error("bench distributed: redis-server is not installed (apt-get install redis-server).");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "clade-bench-dist-"));
  const workspace = path.join(dir, "ws");
  const runsDir = path.join(workspace, ".clade", "runs");
  const model = (await generateTestModel({ out: path.join(dir, "model.gguf"), seed: 1 })).file;
  const modelHash = createHash("sha256").update(await fs.readFile(model)).digest("hex");
  const tasks = (await openBuiltinSuite().list()).filter((t) => t.tier === "T0").slice(0, options.tasks ?? 8);
  const suite = { spec: "builtin", hash: await openBuiltinSuite().hash() };
  const archive = await Archive.open(workspace, { create: true });
  await archive.addNode(null, seedAgentDir(), { origin: { kind: "seed", targetTask: null, diagnosis: null, problemStatement: null }, identity: { adapterHash: null, modelHash, taskSetHash: suite.hash, seed: 0 } });
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redisDir = path.join(dir, "redis");
  await fs.mkdir(redisDir);
  const started = spawnSync("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", redisDir, "--appendonly", "yes", "--save", "", "--daemonize", "yes", "--logfile", path.join(redisDir, "redis.log")]);
  if (started.status !== 0) throw new Error(`bench distributed: redis-server did not start: ${started.stderr}`);
  const redis = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: null });
  redis.on("error", () => undefined);
  const workers: ChildProcess[] = [];
  try {
    // In-process reference: the seed, built once, each task in turn on the model in this process.
    const host = new ModelHost({ log: () => undefined, defaultCacheDir: dir });
    const built = await buildAgent(seedAgentDir(), { cacheDir: path.join(dir, "builds") });
    if (!built.ok) throw new Error(`bench distributed: the seed does not build: ${built.message}`);
    await host.load({ model, threads, sequences: 1, contextPerSequence: 2048 });
    const localMs: number[] = [];
    const localStart = performance.now();
    for (const task of tasks) {
      const t = performance.now();
      await runTask({ task, versionId: "n0", bundle: built.bundle, provider: host, runsDir, limits });
      localMs.push(performance.now() - t);
    }
    const localWall = performance.now() - localStart;
    log(`in-process: ${tasks.length} evaluations in ${Math.round(localWall)} ms`);
    await host.dispose();
    const localRate = (tasks.length / localWall) * 60_000;

    const remote = await RemoteEvaluations.open(url, modelHash, { pollMs: 1000 });
    const byWorkers: { workers: number; evaluationsPerMinute: number; wallMs: number; ratio: number }[] = [];
    let overheadMs: number[] = [];
    try {
      for (const count of counts) {
        while (workers.length < count) workers.push(spawn(process.execPath, [options.cliPath, "worker", "--queue", url, "--model", model, "--threads", String(threads), "--context-per-sequence", "2048", "--lock-ms", "10000"], { stdio: "ignore", detached: true }));
        log(`starting ${count} worker(s)…`);
        await waitWorkers(redis, count, queueName(cladeBuild(), modelHash));
        log(`${count} worker(s) ready`);
        const request = (task: (typeof tasks)[number]) => remote.run({ archive, nodeId: "n0", task, runId: randomUUID().slice(0, 8), suite, runsDir, limits });
        if (count === 1) {
          // Warm-up (the worker fetches the bundle and builds the version once), then one job at a time: the queue's latency.
          await request(tasks[0]!);
          overheadMs = [];
          for (const task of tasks) {
            const t = performance.now();
            const result = await request(task);
            overheadMs.push(performance.now() - t - result.wallMs);
          }
        }
        const t = performance.now();
        await Promise.all(tasks.map(request));
        const wall = performance.now() - t;
        log(`${count} worker(s): ${tasks.length} evaluations in ${Math.round(wall)} ms`);
        const rate = (tasks.length / wall) * 60_000;
        byWorkers.push({ workers: count, evaluationsPerMinute: round(rate, 1), wallMs: Math.round(wall), ratio: round(rate / localRate) });
      }
    } finally {
      await remote.close();
    }
    const perEvaluation = median(localMs);
    const overhead = median(overheadMs);
    const inputs = { model: "generated toy (random weights)", tasks: tasks.map((t) => t.id), maxTurns: limits.maxTurns, threads, cores: os.availableParallelism(), workerConcurrency: 1 };
    return [
      ...byWorkers.map((w) => ({
        name: `distributed-${w.workers}-worker${w.workers === 1 ? "" : "s"}`, ratio: w.ratio, reference: round(localRate, 1), measured: w.evaluationsPerMinute, unit: "evaluations/min (reference: in-process)", repetitions: 1,
        goal: os.availableParallelism() <= 2 ? "informational: on 2 cores all workers share the same cores, so ~flat past 2" : "grows with workers until the model server or cores saturate",
        inputs, details: { wallMs: w.wallMs, inProcessWallMs: Math.round(localWall) },
      })),
      {
        name: "distributed-queue-latency", ratio: round(overhead / perEvaluation), reference: round(perEvaluation, 1), measured: round(overhead, 1), unit: "ms added per evaluation (reference: one in-process T0 evaluation)", repetitions: overheadMs.length,
        goal: "≤ 0.05 of a T0 evaluation's time", inputs, details: { overheadMs: overheadMs.map((v) => round(v, 1)), inProcessMs: localMs.map((v) => round(v, 1)) },
      },
    ];
  } finally {
    for (const worker of workers) {
      try {
        process.kill(-worker.pid!, "SIGTERM");
      } catch {
        // gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const worker of workers) {
      try {
        process.kill(-worker.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
    await archive.dispose();
    // Not through ioredis: with retries on, it would re-send SHUTDOWN to a server that is gone, forever.
    redis.disconnect();
    spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"]);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function waitWorkers(redis: Redis, count: number, queue: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (liveWorkers(await redis.hgetall(REGISTRY_KEY)).filter((w) => w.queue === queue).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`bench distributed: ${count} workers did not start within 120 s`);
}
