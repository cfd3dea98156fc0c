// The session's side of the evaluation queue: an evaluation becomes a BullMQ job (the version's git
// bundle uploaded once under its commit), and the session waits for its result by polling the job's
// state (robust to Redis restarting: ioredis queues commands until it is back). The session alone
// writes the archive: a result is recorded for its runId only while that run is still in flight, so
// a job delivered twice (a worker killed after finishing) or finished after its timeout is never a
// second evaluation. A resumed session re-attaches to the jobs of its in-flight runs.
import { promises as fs } from "node:fs";
import path from "node:path";
import { Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import type { QueueCounts } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { RunResult } from "../../protocol/run";
import type { Archive } from "../archive/archive";
import type { Task } from "../tasks/types";
import { BUNDLE_PREFIX, cladeBuild, evalJobId, idleReason, liveWorkers, queueName, redisConnection, REGISTRY_KEY, type EvalJobData, type EvalJobResult, type WorkerInfo } from "./evalQueue";

export interface RemoteRunRequest {
  archive: Archive;
  nodeId: string;
  task: Task;
  runId: string;
  suite: { spec: string; hash: string };
  runsDir: string;
  limits?: EvalJobData["limits"];
  isolation?: EvalJobData["isolation"];
  signal?: AbortSignal;
}

/** What a session needs of a queue (tests may stand in a fake). */
export interface RemoteRunner {
  run(request: RemoteRunRequest): Promise<RunResult>;
  /** Runs still in flight from before a resume: record the finished, wait for the running; returns how many were recorded. */
  reattach(archive: Archive, runsDir: string): Promise<number>;
  snapshot(): RemoteStatus;
}

/** The queue's counts for this session (the protocol's QueueCounts). */
export type RemoteStatus = QueueCounts;

export interface RemoteOptions {
  /** The session's sampling override: the workers apply it too, so scores compare. */
  sampling?: EvalJobData["sampling"];
  /** A job not finished after this long is abandoned (its late result is ignored). Default: the run's timeout + 5 min. */
  jobTimeoutMs?: number;
  /** A job nobody can take (no compatible worker) fails after this long, saying why. Default 10 min. */
  noWorkerMs?: number;
  pollMs?: number;
  log?: (message: string) => void;
}

const DAY = 24 * 3600;

export class RemoteEvaluations implements RemoteRunner {
  private readonly uploaded = new Set<string>();
  /** Wakes the waiter of a job when BullMQ reports it finished (polling stays the fallback). */
  private readonly wakers = new Map<string, { woke: boolean; resolve?: () => void }>();
  private events?: QueueEvents;
  private status: RemoteStatus;
  private timer?: NodeJS.Timeout;
  private done = 0;

  private constructor(
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly build: string,
    private readonly modelHash: string,
    private readonly options: RemoteOptions,
  ) {
    this.status = { queue: queue.name, waiting: 0, active: 0, workers: 0, done: 0 };
  }

  static async open(url: string, modelHash: string, options: RemoteOptions = {}): Promise<RemoteEvaluations> {
    const connection = redisConnection(url);
    const redis = new Redis({ ...connection, lazyConnect: true });
    // Reconnection is ioredis's job (commands wait meanwhile); its error events are not ours to crash on.
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new CladeError("invalid-argument", `The queue at ${url} cannot be reached: ${error instanceof Error ? error.message : String(error)}.`, "Start Redis (`clade queue start` on this machine) or fix the URL; without --queue the session evaluates in-process.", { url }, { cause: error });
    }
    const build = cladeBuild();
    const queue = new Queue(queueName(build, modelHash), { connection });
    const remote = new RemoteEvaluations(queue, redis, build, modelHash, options);
    remote.events = new QueueEvents(queue.name, { connection });
    const wake = ({ jobId }: { jobId: string }) => {
      const waker = remote.wakers.get(jobId);
      if (!waker) return;
      waker.woke = true;
      waker.resolve?.();
    };
    remote.events.on("completed", wake);
    remote.events.on("failed", wake);
    remote.events.on("error", () => undefined);
    await remote.events.waitUntilReady().catch(() => undefined);
    await remote.refresh();
    remote.timer = setInterval(() => void remote.refresh().catch(() => undefined), 1000);
    remote.timer.unref();
    return remote;
  }

  snapshot(): RemoteStatus {
    return { ...this.status, done: this.done };
  }

  private async workers(): Promise<WorkerInfo[]> {
    return liveWorkers(await this.redis.hgetall(REGISTRY_KEY));
  }

  private async refresh(): Promise<void> {
    const [counts, workers] = await Promise.all([this.queue.getJobCounts("waiting", "active", "delayed", "prioritized"), this.workers()]);
    const idle = idleReason(workers, this.queue.name, this.build, this.modelHash);
    this.status = {
      queue: this.queue.name,
      waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      workers: workers.filter((w) => w.queue === this.queue.name).length,
      done: this.done,
      ...(idle ? { idle } : {}),
    };
  }

  async run(request: RemoteRunRequest): Promise<RunResult> {
    const { archive, nodeId, task, runId } = request;
    const node = archive.requireNode(nodeId);
    if (!this.uploaded.has(node.commit)) {
      const { bytes } = await archive.nodeBundle(nodeId);
      // Content-addressed: a second session (or a resume) uploading the same version is a no-op.
      await this.redis.set(`${BUNDLE_PREFIX}${node.commit}`, bytes, "EX", 7 * DAY, "NX");
      this.uploaded.add(node.commit);
    }
    const data: EvalJobData = { format: 1, build: this.build, modelHash: this.modelHash, nodeId, commit: node.commit, suite: request.suite, taskId: task.id, runId, limits: request.limits, isolation: request.isolation, ...(this.options.sampling ? { sampling: this.options.sampling } : {}) };
    const jobId = evalJobId(data);
    await this.queue.add("evaluate", data, { jobId, attempts: 3, backoff: { type: "fixed", delay: 1000 }, removeOnComplete: { age: 7 * DAY }, removeOnFail: { age: 7 * DAY } });
    const timeoutMs = this.options.jobTimeoutMs ?? (request.limits?.timeoutMs ?? 10 * 60_000) + 5 * 60_000;
    const answer = await this.wait(jobId, timeoutMs, request.signal);
    return this.keep(answer, request.runsDir);
  }

  /** Polls the job until it completes (its result), fails (an error with its reason), or times out. */
  private async wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<EvalJobResult> {
    const started = Date.now();
    /** Since when the job has waited with no compatible worker connected (0: a worker is there). */
    let unattended = 0;
    const waker: { woke: boolean; resolve?: () => void } = { woke: false };
    this.wakers.set(jobId, waker);
    try {
      for (;;) {
        waker.woke = false;
        if (signal?.aborted) {
          await Job.fromId(this.queue, jobId).then((job) => job?.remove()).catch(() => undefined);
          throw new CladeError("cancelled", "The session was stopped while a worker ran this evaluation.", "Nothing to fix: a resumed session runs it again.");
        }
        const job = await Job.fromId<EvalJobData, EvalJobResult>(this.queue, jobId);
        if (!job) throw new CladeError("internal", `The evaluation job ${jobId} disappeared from the queue (was Redis flushed?).`, "Resume the session: the run is queued again.");
        const state = await job.getState();
        if (state === "completed") return job.returnvalue;
        if (state === "failed") {
          throw new CladeError("internal", `A worker could not run the evaluation: ${job.failedReason}`, "See the worker's log; the task is queued again with a new attempt.", { jobId });
        }
        if (Date.now() - started > timeoutMs) {
          throw new CladeError("internal", `The evaluation job ${jobId} did not finish within ${Math.round(timeoutMs / 1000)} s (a slow or stuck worker); it is abandoned and its late result will be ignored.`, "Nothing to fix: the task is queued again; raise the timeout if the model is that slow.", { jobId });
        }
        if (state === "waiting" || state === "prioritized" || state === "delayed") {
          unattended = this.status.workers ? 0 : unattended || Date.now();
          if (unattended && Date.now() - unattended > (this.options.noWorkerMs ?? 10 * 60_000)) {
            await job.remove().catch(() => undefined);
            throw new CladeError("internal", `No worker took the evaluation: ${this.status.idle ?? "no compatible worker"}.`, "Start a worker with this session's Clade build and model (`clade worker --queue URL --model MODEL`), or run without --queue.", { jobId });
          }
        }
        // Woken at once by the job's completed/failed event (also one that came while its state was
        // read); the poll covers events missed while Redis restarted.
        if (waker.woke) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, this.options.pollMs ?? 1000);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          waker.resolve = done;
        });
        waker.resolve = undefined;
      }
    } finally {
      this.wakers.delete(jobId);
    }
  }

  /** Writes the job's trajectory into the workspace's runs folder; the result points at it. */
  private async keep(answer: EvalJobResult, runsDir: string): Promise<RunResult> {
    const { result } = answer;
    const file = path.join(runsDir, result.versionId, `${result.taskId}-${result.runId}.jsonl`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, answer.trajectory);
    this.done += 1;
    this.options.log?.(`evaluation ${result.versionId}/${result.taskId} (${result.runId}) ran on worker ${answer.worker}: ${result.passed ? "passed" : "failed"}`);
    return { ...result, trajectory: file };
  }

  async reattach(archive: Archive, runsDir: string): Promise<number> {
    let recorded = 0;
    for (const run of archive.inFlightEvaluations()) {
      const node = archive.node(run.nodeId);
      if (!node) continue;
      const jobId = evalJobId({ commit: node.commit, taskId: run.taskId, runId: run.runId });
      const job = await Job.fromId(this.queue, jobId);
      if (!job) continue;
      try {
        const answer = await this.wait(jobId, this.options.jobTimeoutMs ?? 15 * 60_000);
        // Recorded once: only while the run is still in flight in the archive.
        if (archive.inFlightEvaluations().some((r) => r.runId === run.runId)) {
          await archive.recordEvaluationFinished(run.nodeId, await this.keep(answer, runsDir));
          recorded += 1;
        }
      } catch (error) {
        this.options.log?.(`re-attach to ${jobId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (recorded) this.options.log?.(`re-attached: ${recorded} evaluation(s) finished on the workers while the session was away`);
    return recorded;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.events?.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}
