// `clade worker`: takes evaluation jobs from the queue of its own Clade build and model, and runs
// each exactly as a session does in-process (the version rebuilt from its git bundle, the task from
// the same suite, checked by hash; the agent confined in its sandbox; hidden tests score it). A
// worker killed mid-job loses its lock; BullMQ hands the job to another worker after lockMs.
import { promises as fs, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { AgentsRepo } from "../archive/agentsRepo";
import { buildAgent } from "../agent/buildAgent";
import { withSampling, type LlmProvider } from "../agent/llmProvider";
import { runTask } from "../agent/runTask";
import { openSuite } from "../tasks/openSuite";
import { BUNDLE_PREFIX, cladeBuild, queueName, redisConnection, REGISTRY_KEY, workerId, type EvalJobData, type EvalJobResult, type WorkerInfo } from "./evalQueue";

export interface EvalWorkerOptions {
  url: string;
  provider: LlmProvider;
  /** The loaded model's identity (sha256 of the file, or the server URI) and a name for people. */
  modelHash: string;
  modelName: string;
  concurrency: number;
  /** How long a job's lock lasts without renewal: a killed worker's job moves on after this. Default 30 s. */
  lockMs?: number;
  signal: AbortSignal;
  log: (message: string) => void;
  onJob?: (event: { done: number; jobId: string; passed?: boolean; error?: string }) => void;
}

export async function runEvalWorker(options: EvalWorkerOptions): Promise<{ done: number; failed: number }> {
  const connection = redisConnection(options.url);
  const build = cladeBuild();
  const queue = queueName(build, options.modelHash);
  const id = workerId();
  const redis = new Redis(connection);
  redis.on("error", (error) => options.log(`redis: ${error.message}`));
  const work = path.join(os.tmpdir(), `clade-worker-${process.pid}`);
  await fs.mkdir(work, { recursive: true });
  let done = 0;
  let failed = 0;
  const info = (): WorkerInfo => ({ id, host: os.hostname(), pid: process.pid, build, modelHash: options.modelHash, model: options.modelName, queue, concurrency: options.concurrency, done, heartbeat: Date.now() });
  const heartbeat = () => redis.hset(REGISTRY_KEY, id, JSON.stringify(info())).catch(() => undefined);
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), 5000);
  const lockMs = options.lockMs ?? 30_000;

  const processJob = async (job: Job<EvalJobData, EvalJobResult>): Promise<EvalJobResult> => {
    const data = job.data;
    // Defence in depth: the queue name already encodes build and model.
    if (data.build !== build || data.modelHash !== options.modelHash) {
      throw new UnrecoverableError(`refused by worker ${id}: it runs Clade ${build} with model ${options.modelHash.slice(0, 12)}, the job needs Clade ${data.build} with model ${data.modelHash.slice(0, 12)}`);
    }
    const suite = openSuite(data.suite.spec);
    try {
      const hash = await suite.hash();
      if (hash !== data.suite.hash) throw new UnrecoverableError(`refused by worker ${id}: its suite "${data.suite.spec}" has hash ${hash.slice(0, 12)}, the session's ${data.suite.hash.slice(0, 12)} (different tasks would score differently)`);
      const task = await suite.get(data.taskId);
      if (!task) throw new UnrecoverableError(`refused by worker ${id}: its suite "${data.suite.spec}" has no task ${data.taskId}`);
      const scaffold = await exportVersion(redis, work, data.commit, data.nodeId);
      const built = await buildAgent(scaffold, { cacheDir: path.join(work, "builds"), signal: options.signal });
      if (!built.ok) throw new UnrecoverableError(`the version ${data.nodeId} does not build on worker ${id}: ${built.stage}: ${built.message.slice(0, 300)}`);
      const result = await runTask({ task, versionId: data.nodeId, bundle: built.bundle, provider: withSampling(options.provider, data.sampling), runsDir: path.join(work, "runs"), limits: data.limits, isolation: data.isolation, signal: options.signal, runId: data.runId });
      const trajectory = await fs.readFile(result.trajectory, "utf8").catch(() => "");
      await fs.rm(result.trajectory, { force: true });
      return { result, trajectory, worker: id };
    } finally {
      suite.dispose();
    }
  };

  const worker = new Worker<EvalJobData, EvalJobResult>(queue, processJob, { connection, concurrency: options.concurrency, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: 3, autorun: false });
  worker.on("completed", (job) => {
    done += 1;
    options.log(`job ${job.id} done: ${job.returnvalue.result.passed ? "passed" : "failed"} (${done} done)`);
    options.onJob?.({ done, jobId: String(job.id), passed: job.returnvalue.result.passed });
    void heartbeat();
  });
  worker.on("failed", (job, error) => {
    failed += 1;
    options.log(`job ${job?.id ?? "?"} failed: ${error.message}`);
    options.onJob?.({ done, jobId: String(job?.id ?? ""), error: error.message });
  });
  worker.on("error", (error) => options.log(`queue error: ${error.message}`));
  options.log(`worker ${id} takes evaluations of Clade ${build} with ${options.modelName} from ${options.url} (queue ${queue}, ${options.concurrency} at a time)`);
  const running = worker.run();
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  clearInterval(beat);
  await worker.close();
  await running.catch(() => undefined);
  await redis.hdel(REGISTRY_KEY, id).catch(() => undefined);
  redis.disconnect();
  await fs.rm(work, { recursive: true, force: true });
  return { done, failed };
}

/** One export per commit at a time: concurrent jobs of a version share it (git fetches into one repository would race). */
const exporting = new Map<string, Promise<string>>();
function exportVersion(redis: Redis, work: string, commit: string, nodeId: string): Promise<string> {
  let pending = exporting.get(commit);
  if (!pending) {
    pending = exportVersionOnce(redis, work, commit, nodeId).finally(() => exporting.delete(commit));
    exporting.set(commit, pending);
  }
  return pending;
}

/** The version's files, from its git bundle in Redis (fetched once per commit into a local repository). */
async function exportVersionOnce(redis: Redis, work: string, commit: string, nodeId: string): Promise<string> {
  const dir = path.join(work, "versions", commit);
  if (existsSync(dir)) return dir;
  const bytes = await redis.getBuffer(`${BUNDLE_PREFIX}${commit}`);
  if (!bytes) throw new UnrecoverableError(`the scaffold of ${nodeId} (commit ${commit.slice(0, 12)}) is not in the queue's store (expired or flushed)`);
  const repo = new AgentsRepo(path.join(work, "agents.git"));
  if (!repo.exists()) await repo.init();
  await repo.fetchBundle(bytes);
  const staging = `${dir}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
  await repo.exportTo(commit, staging);
  // Another job of this worker may have exported the same commit meanwhile (and may be building from
  // it): keep the first, never replace a folder in use.
  await fs.rename(staging, dir).catch(async () => fs.rm(staging, { recursive: true, force: true }));
  return dir;
}
