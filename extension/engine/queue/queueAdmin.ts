// `clade queue stop|status`: a queue's Redis, its evaluation queues and its workers.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { CladeError } from "../../protocol/errors";
import { liveWorkers, redisConnection, REGISTRY_KEY, type WorkerInfo } from "./evalQueue";

export interface QueueStatus {
  workers: WorkerInfo[];
  queues: { name: string; waiting: number; active: number; completed: number; failed: number }[];
}

async function connect(url: string): Promise<Redis> {
  const redis = new Redis({ ...redisConnection(url), lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new CladeError("invalid-argument", `The queue at ${url} cannot be reached: ${error instanceof Error ? error.message : String(error)}.`, "Start it with `clade queue start`, or fix the URL.", { url }, { cause: error });
  }
}

export async function queueStatus(url: string): Promise<QueueStatus> {
  const redis = await connect(url);
  try {
    const workers = liveWorkers(await redis.hgetall(REGISTRY_KEY));
    // BullMQ keeps a queue's metadata under bull:<name>:meta.
    const names = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", "bull:clade-eval-*:meta", "COUNT", 200);
      cursor = next;
      for (const key of keys) names.add(key.slice("bull:".length, -":meta".length));
    } while (cursor !== "0");
    const queues = [];
    for (const name of [...names].sort()) {
      const queue = new Queue(name, { connection: redisConnection(url) });
      try {
        const counts = await queue.getJobCounts("waiting", "active", "completed", "failed", "delayed", "prioritized");
        queues.push({ name, waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 });
      } finally {
        await queue.close();
      }
    }
    return { workers, queues };
  } finally {
    redis.disconnect();
  }
}

export async function stopQueue(url: string): Promise<void> {
  const redis = await connect(url);
  try {
    // SHUTDOWN closes the connection as it exits; the AOF is flushed first.
    await redis.call("SHUTDOWN").catch((error: unknown) => {
      if (!/closed|ECONNRESET|Connection is closed/i.test(String(error))) throw error;
    });
  } finally {
    redis.disconnect();
  }
}
