// A real Redis (Debian's redis-server) on 127.0.0.1 for a test, AOF on, in its own folder; and
// `clade worker` processes in their own process groups (so a SIGKILL takes the engine with them).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./llamaServer";
import { repoRoot } from "./models";

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** SHUTDOWN (AOF flushed), then the same port and folder again. */
  restart(): Promise<void>;
}

function redisBinary(): string {
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) throw new Error("redis-server is not installed. Install it: apt-get install -y redis-server (npm test's setup step does).");
  return "redis-server";
}

async function waitUp(port: number, up: boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ping = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if ((ping.stdout.trim() === "PONG") === up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis on ${port} did not come ${up ? "up" : "down"} within 15 s`);
}

export async function startRedis(): Promise<TestRedis> {
  const binary = redisBinary();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "clade-redis-"));
  const start = async () => {
    const started = spawnSync(binary, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", "", "--daemonize", "yes", "--logfile", path.join(dir, "redis.log")], { encoding: "utf8" });
    if (started.status !== 0) throw new Error(`redis-server did not start: ${started.stderr}`);
    await waitUp(port, true);
  };
  const stop = async () => {
    spawnSync("redis-cli", ["-p", String(port), "shutdown"], { encoding: "utf8" });
    await waitUp(port, false);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, dir, stop, restart: async () => { await stop(); await start(); } };
}

export interface TestWorker {
  child: ChildProcess;
  log(): string;
  /** SIGKILL to the whole process group (the CLI and its engine). */
  kill(): Promise<void>;
  /** SIGTERM: gives back its jobs and leaves the registry. */
  stop(): Promise<void>;
}

export function startWorker(url: string, model: string, options: { lockMs?: number; concurrency?: number } = {}): TestWorker {
  const child = spawn(process.execPath, [path.join(repoRoot, "bin", "clade.mjs"), "worker", "--queue", url, "--model", model, "--threads", "1", "--lock-ms", String(options.lockMs ?? 3000), "--concurrency", String(options.concurrency ?? 1)], { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const append = (chunk: Buffer) => (log = (log + chunk.toString("utf8")).slice(-20_000));
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = async (sig: NodeJS.Signals, group: boolean) => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        if (group) process.kill(-child.pid!, sig);
        else child.kill(sig);
      } catch {
        // already gone
      }
    }
    await exited;
  };
  return { child, log: () => log, kill: () => signal("SIGKILL", true), stop: () => signal("SIGTERM", false) };
}

/** Waits until `count` workers of the queue's registry are live (each heartbeats once loaded). */
export async function waitForWorkers(url: string, count: number, timeoutMs = 60_000): Promise<void> {
  const port = new URL(url).port;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = spawnSync("redis-cli", ["-p", port, "hlen", "clade:workers"], { encoding: "utf8" }).stdout.trim();
    if (Number(out) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${count} worker(s) did not register within ${timeoutMs / 1000} s`);
}
