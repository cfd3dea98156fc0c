// Evaluation jobs on a BullMQ queue in Redis: what a job is, where its scaffold travels, and which
// workers may take it. The session (queue/remoteEvaluations.ts) stays the archive's only writer; a
// worker (queue/evalWorker.ts) builds the version, runs the task and returns the outcome.
//
// - One queue per (Clade build, model): `clade-eval-<id>`. A worker listens only on the queue of
//   its own build and model, so a worker with another Clade or another model never takes a job it
//   would score differently; the session sees it in the worker registry and says why it is idle.
// - A job names the version by its commit; the scaffold travels as a git bundle stored in Redis under
//   its commit (content-addressed: the same version is uploaded once).
// - The job id is (commit, task, runId): adding it again (a resumed session) is a no-op, and a
//   result is recorded once for its runId — delivery is at-least-once, recording is idempotent.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { CladeError } from "../../protocol/errors";
import type { RunResult } from "../../protocol/run";
import type { AgentLimits } from "../../protocol/agent";
import type { SamplingOverride } from "../../protocol/engine";
import type { Isolation } from "../agent/sandbox/runCommand";
import { harnessBundle } from "../resources";
import { CLADE_VERSION } from "../version";

export const REGISTRY_KEY = "clade:workers";
export const BUNDLE_PREFIX = "clade:bundle:";
/** A worker's registry entry is stale after this long without a heartbeat. */
export const WORKER_STALE_MS = 15_000;

export interface EvalJobData {
  format: 1;
  /** The build that made the job (CLADE_VERSION + the agent harness's hash). */
  build: string;
  modelHash: string;
  nodeId: string;
  commit: string;
  suite: { spec: string; hash: string };
  taskId: string;
  runId: string;
  limits?: Partial<AgentLimits>;
  isolation?: Isolation;
  /** The session's sampling override (e.g. temperature 0). */
  sampling?: SamplingOverride;
}

export interface EvalJobResult {
  result: RunResult;
  /** The trajectory JSONL (the session writes it into the workspace's runs folder). */
  trajectory: string;
  worker: string;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  build: string;
  modelHash: string;
  model: string;
  queue: string;
  concurrency: number;
  /** Jobs finished since the worker started. */
  done: number;
  heartbeat: number;
}

let buildId: string | undefined;
/** This Clade build: the version and the agent harness's hash (two checkouts of one version may differ). */
export function cladeBuild(): string {
  buildId ??= `${CLADE_VERSION}+${createHash("sha256").update(readFileSync(harnessBundle())).digest("hex").slice(0, 10)}`;
  return buildId;
}

export function queueName(build: string, modelHash: string): string {
  return `clade-eval-${createHash("sha256").update(`${build}\0${modelHash}`).digest("hex").slice(0, 16)}`;
}

/** BullMQ ids may not contain ":"; this one is unique per attempt (runId) and stable across re-adds. */
export function evalJobId(data: Pick<EvalJobData, "commit" | "taskId" | "runId">): string {
  return `${data.commit.slice(0, 16)}.${data.taskId.replace(/[^\w.-]/g, "_")}.${data.runId}`;
}

/** ioredis connection options from a redis:// URL (BullMQ workers need maxRetriesPerRequest: null). */
export function redisConnection(url: string): { host: string; port: number; username?: string; password?: string; db?: number; maxRetriesPerRequest: null; enableOfflineQueue: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CladeError("invalid-argument", `The queue "${url}" is not a URL.`, "Write it as redis://HOST:PORT (start one on this machine with `clade queue start`).");
  }
  if (parsed.protocol !== "redis:") throw new CladeError("invalid-argument", `The queue "${url}" is not a redis:// URL.`, "Write it as redis://HOST:PORT (start one on this machine with `clade queue start`).");
  const db = parsed.pathname.replace(/^\//, "");
  return {
    host: parsed.hostname || "127.0.0.1",
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  };
}

export function workerId(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** The workers that heartbeat recently, from the registry hash. */
export function liveWorkers(entries: Record<string, string>, now = Date.now()): WorkerInfo[] {
  return Object.values(entries)
    .map((value) => {
      try {
        return JSON.parse(value) as WorkerInfo;
      } catch {
        return undefined;
      }
    })
    .filter((w): w is WorkerInfo => Boolean(w) && now - w!.heartbeat < WORKER_STALE_MS);
}

/** Why no worker takes this session's jobs, from what is connected. */
export function idleReason(workers: readonly WorkerInfo[], queue: string, build: string, modelHash: string): string | undefined {
  if (workers.some((w) => w.queue === queue)) return undefined;
  if (!workers.length) return "no worker is connected to the queue (start one: `clade worker --queue URL --model MODEL`)";
  const other = workers.map((w) => `${w.id} (${w.build !== build ? `Clade ${w.build}, this session ${build}` : `model ${w.model} ${w.modelHash.slice(0, 12)}, this session's ${modelHash.slice(0, 12)}`})`);
  return `${workers.length} worker(s) are connected but none can take these jobs: ${other.join("; ")}. A worker needs the same Clade build and the same model file`;
}
