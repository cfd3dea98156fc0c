// Soak: many consecutive scripted agent runs in ONE ENGINE PROCESS, through the same JSON-RPC
// request VS Code's "Run Active Agent" sends (agent/runTask with a scripted provider: the real
// runner, sandbox, confined agent process and hidden-test scoring). After a warm-up, the engine's
// RSS may grow at most 10%; its open file descriptors and child processes return to the baseline;
// no zombie is left. The engine runs with its production flags (engineNodeFlags.json).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Requests } from "../../extension/protocol/engine";
import { EngineClient } from "../../extension/engine/rpc/engineClient";
import { SuiteReport } from "./suiteReport";

const RUNS = Number(process.env.CLADE_SOAK_RUNS ?? 500);
// Warm-up: 100 runs (a fifth). RSS rises in steps for a while (allocator arenas, lazily compiled
// code, caches) and then stays flat; a leak would keep growing with the run count.
const WARMUP = Math.min(100, Math.floor(RUNS / 5));
const report = new SuiteReport("soak");
// The engine as users start it: no CLADE_BUILTIN_TASKS (the suites' own processes get it, the
// engine must find the built-in tasks from where its chunks are).
const { CLADE_BUILTIN_TASKS: _unused, ...userEnv } = process.env;
const client = await EngineClient.start({ enginePath: path.resolve("dist", "engine.mjs"), env: userEnv });
const engine = client.pid!;
const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-soak-"));

const fds = () => readdirSync(`/proc/${engine}/fd`).length;
function processes(): { pid: number; ppid: number; state: string }[] {
  const out: { pid: number; ppid: number; state: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.push({ pid: Number(name), state: fields[0], ppid: Number(fields[1]) });
    } catch {
      // gone
    }
  }
  return out;
}
function descendants(): { pid: number; state: string }[] {
  const table = processes();
  const mine = new Set([engine]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  return table.filter((p) => p.pid !== engine && mine.has(p.pid));
}
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** The engine's memory, from /proc (the engine is not started with --expose-gc: RSS as the user's engine has it). */
function engineMemory(): { rss: number } {
  const status = readFileSync(`/proc/${engine}/status`, "utf8");
  return { rss: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024 };
}
const scripted = [
  { toolCall: { name: "read_file", arguments: { path: "calc.mjs" } } },
  { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
  { toolCall: { name: "finish", arguments: { summary: "fixed" } } },
];

const PARALLEL = Number(process.env.CLADE_SOAK_PARALLEL ?? 2);
let passed = 0;
let done = 0;
const failures: string[] = [];
/** The engine's RSS every 25 runs past the warm-up: growth compares the first and last few samples (RSS is noisy). */
const samples: number[] = [];
/** The engine's JS heap at the same points (engine/ping). */
const heaps: number[] = [];
let next = 1;
const started = Date.now();
// PARALLEL runs at a time, as a session runs them (parallel: 2). Runs 1..last in order.
async function runUntil(last: number): Promise<void> {
  const worker = async () => {
    for (let i = next++; i <= last; i = next++) {
      const result = await client.request(Requests.runTask, { suite: "builtin", taskId: "t0-subtract-order", workspace, scripted });
      if (result.passed) passed++;
      else failures.push(`run ${i}: ${result.stopReason}${result.error ? ` ${result.error.message.slice(0, 200)}` : ""}; test exit ${result.test?.exitCode} ${result.test?.timedOut ? "(timed out)" : ""} ${result.test?.output.slice(-200) ?? ""}`);
      if (++done % 25 === 0 && done > WARMUP) {
        samples.push(engineMemory().rss);
        heaps.push((await client.request(Requests.ping, undefined)).memory.heapUsed);
      }
      if (done % 50 === 0) process.stderr.write(`[soak] ${done}/${RUNS} runs, ${((Date.now() - started) / 1000).toFixed(0)} s, engine rss ${(engineMemory().rss / 2 ** 20).toFixed(0)} MiB, fds ${fds()}\n`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  next = last + 1;
}
// Warm-up: the first runs load what every later run shares (modules, caches, lazily opened handles).
await runUntil(WARMUP);
await settle();
const warm = { rss: engineMemory().rss, heap: (await client.request(Requests.ping, undefined)).memory.heapUsed };
const baseline = { fds: fds(), children: descendants().length };
await runUntil(RUNS);
const seconds = (Date.now() - started) / 1000;
await settle();
const end = { rss: engineMemory().rss, heap: (await client.request(Requests.ping, undefined)).memory.heapUsed, fds: fds(), left: descendants() };
// The smallest of each window: a leak raises the floor; garbage not yet collected and allocator
// noise only add transient peaks.
const head = Math.min(...(samples.slice(0, 3).length ? samples.slice(0, 3) : [warm.rss]));
const tail = Math.min(...(samples.slice(-3).length ? samples.slice(-3) : [end.rss]));
const growth = ((tail - head) / head) * 100;
const heapHead = Math.min(...(heaps.slice(0, 3).length ? heaps.slice(0, 3) : [warm.heap]));
const heapTail = Math.min(...(heaps.slice(-3).length ? heaps.slice(-3) : [end.heap]));
const heapGrowth = ((heapTail - heapHead) / heapHead) * 100;
const zombies = processes().filter((p) => p.state === "Z" && (p.ppid === engine || end.left.some((d) => d.pid === p.pid))).length;
await client.stop().catch(() => undefined);
client.dispose();
rmSync(workspace, { recursive: true, force: true });
Object.assign(report.figures, {
  runs: RUNS, warmupRuns: WARMUP, seconds: Math.round(seconds), rssGrowthPercent: Number(growth.toFixed(1)), heapGrowthPercent: Number(heapGrowth.toFixed(1)),
  rssWarmMiB: Math.round(warm.rss / 2 ** 20), rssEndMiB: Math.round(end.rss / 2 ** 20), fdsBaseline: baseline.fds, fdsAfter: end.fds,
  childrenBaseline: baseline.children, childrenAfter: end.left.length, zombies,
});
report.add(`${RUNS} consecutive runs all scored a pass`, passed === RUNS, `${passed}/${RUNS} passed in ${seconds.toFixed(0)} s (${((seconds * 1000) / RUNS).toFixed(0)} ms a run)${failures.length ? `; failed: ${failures.join(" / ")}` : ""}`);
report.add("RSS growth after warm-up ≤ 10%", growth <= 10, `engine RSS (lowest of 3 samples) ${mib(head)} MiB after warm-up → ${mib(tail)} MiB at the end (${growth.toFixed(1)}%; JS heap ${heapGrowth.toFixed(1)}%); RSS every 25 runs: ${samples.map(mib).join(" ")} MiB; heap ${heaps.map(mib).join(" ")} MiB`);
report.add("open file descriptors back to baseline", end.fds <= baseline.fds, `${baseline.fds} after warm-up, ${end.fds} at the end`);
report.add("child processes back to baseline", end.left.length <= baseline.children, `${baseline.children} after warm-up, ${end.left.length} at the end${end.left.length ? `: ${end.left.map((p) => p.pid).join(", ")}` : ""}`);
report.add("no zombie processes", zombies === 0, `${zombies} zombies`);
report.print();
