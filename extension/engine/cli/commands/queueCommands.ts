// `clade worker --queue redis://HOST:PORT --model M [--concurrency N]`: takes evaluation jobs of
// sessions started with `clade evolve --queue` (same Clade build, same model) until Ctrl-C/SIGTERM.
// `clade queue start|stop|status`: a Redis for one machine (Debian's redis-server, AOF on, data in
// ~/.cache/clade/queue/<port>/), and what a queue holds: jobs per state, workers and their builds.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { Requests } from "../../../protocol/engine";
import { CladeError } from "../../../protocol/errors";
import { createProgress, printJson } from "../output";
import { intOption } from "../parse";
import { withEngine } from "../withEngine";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";

interface WorkerCliOptions extends ModelCliOptions {
  queue: string;
  concurrency: number;
  lockMs?: number;
  json?: boolean;
  verbose?: boolean;
}

export function registerQueueCommands(program: Command): void {
  addModelOptions(program.command("worker").description("Take evaluation jobs from a queue (sessions started with `clade evolve --queue`) until stopped."))
    .requiredOption("--queue <redis-url>", "the queue, redis://HOST:PORT")
    .option("--concurrency <n>", "jobs at once (one model sequence each)", intOption("--concurrency", 1, 64), 1)
    .option("--lock-ms <ms>", "a killed worker's job moves to another worker after this long (default 30000)", intOption("--lock-ms", 1000, 3_600_000))
    .option("--json", "print the totals as JSON when stopped")
    .action(async (opts: WorkerCliOptions) => {
      const progress = createProgress(!opts.json);
      // SIGTERM stops it like Ctrl-C: the running jobs are given back, the worker leaves the registry.
      const onTerm = () => process.emit("SIGINT");
      process.on("SIGTERM", onTerm);
      try {
        const totals = await withEngine({ verbose: opts.verbose ?? true }, (client, signal) =>
          client.request(Requests.work, { queue: opts.queue, model: specFromOptions(opts), concurrency: opts.concurrency, lockMs: opts.lockMs }, { signal, onProgress: (p) => progress.update(p) }).catch((error: unknown) => {
            if (signal.aborted) return { done: -1, failed: -1 };
            throw error;
          }));
        progress.stop();
        if (opts.json) printJson(totals);
      } finally {
        process.off("SIGTERM", onTerm);
      }
    });

  const queue = program.command("queue").description("A Redis queue for evaluation workers on this machine, and what it holds.");
  queue.command("start")
    .description("Start Debian's redis-server with the append-only file on (survives restarts), on 127.0.0.1.")
    .option("--port <n>", "port", intOption("--port", 1, 65535), 6379)
    .option("--dir <dir>", "data folder (default ~/.cache/clade/queue/<port>)")
    .option("--json", "print the URL and folder as JSON")
    .action((opts: { port: number; dir?: string; json?: boolean }) => {
      const dir = path.resolve(opts.dir ?? path.join(process.env.CLADE_CACHE_DIR ?? path.join(os.homedir(), ".cache", "clade"), "queue", String(opts.port)));
      mkdirSync(dir, { recursive: true });
      const started = spawnSync("redis-server", ["--port", String(opts.port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--daemonize", "yes", "--logfile", path.join(dir, "redis.log"), "--pidfile", path.join(dir, "redis.pid"), "--save", ""], { encoding: "utf8" });
      if (started.error || started.status !== 0) {
        throw new CladeError("invalid-argument", `redis-server did not start: ${started.error?.message ?? started.stderr.trim() ?? `exit ${started.status}`}.`, "Install it (Debian/Ubuntu: apt-get install redis-server), or point --queue at a Redis you run.");
      }
      const url = `redis://127.0.0.1:${opts.port}`;
      if (opts.json) return printJson({ url, dir });
      console.log(`queue: ${url} (data and log in ${dir}; AOF on). Workers: clade worker --queue ${url} --model MODEL; sessions: clade evolve --queue ${url} …`);
    });
  queue.command("stop")
    .description("Stop a Redis started by `clade queue start` (saving its data).")
    .option("--queue <redis-url>", "the queue", "redis://127.0.0.1:6379")
    .action(async (opts: { queue: string }) => {
      const { stopQueue } = await import("../../queue/queueAdmin");
      await stopQueue(opts.queue);
      console.log(`queue: ${opts.queue} stopped`);
    });
  queue.command("status")
    .description("Jobs per state and the workers connected, with their Clade build and model.")
    .option("--queue <redis-url>", "the queue", "redis://127.0.0.1:6379")
    .option("--json", "print as JSON")
    .action(async (opts: { queue: string; json?: boolean }) => {
      const { queueStatus } = await import("../../queue/queueAdmin");
      const status = await queueStatus(opts.queue);
      if (opts.json) return printJson(status);
      console.log(`queue ${opts.queue}: ${status.workers.length} worker(s)`);
      for (const w of status.workers) console.log(`  ${w.id}  Clade ${w.build}  model ${w.model} (${w.modelHash.slice(0, 12)})  ${w.concurrency} slot(s), ${w.done} done`);
      for (const q of status.queues) console.log(`  ${q.name}: ${q.waiting} waiting, ${q.active} running, ${q.completed} completed, ${q.failed} failed`);
    });
}
