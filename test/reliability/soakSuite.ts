// Soak: many consecutive scripted agent runs in one engine process (the real runner: sandbox,
// confined agent process, hidden-test scoring). After a warm-up, RSS may grow at most 10%; open
// file descriptors and child processes return to the baseline; no zombie is left.
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider } from "../../extension/engine/agent/scriptedProvider";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { SuiteReport } from "./suiteReport";

const RUNS = Number(process.env.CLADE_SOAK_RUNS ?? 500);
// Warm-up: 100 runs (a fifth). RSS rises in steps for a while (allocator arenas, lazily compiled
// code, caches) and then stays flat; a leak would keep growing with the run count.
const WARMUP = Math.min(100, Math.floor(RUNS / 5));
const report = new SuiteReport("soak");

const fds = () => readdirSync("/proc/self/fd").length;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
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
  const mine = new Set([process.pid]);
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
  return table.filter((p) => p.pid !== process.pid && mine.has(p.pid));
}
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
if (!build.ok) throw new Error(`the seed agent does not build: ${build.message}`);
const bundle = build.bundle;
const task = (await openBuiltinSuite().get("t0-subtract-order"))!;
const runsDir = path.join(os.tmpdir(), `clade-soak-runs-${process.pid}`);
const script = () => new ScriptedProvider([
  { toolCall: { name: "read_file", arguments: { path: "calc.mjs" } } },
  { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
  { toolCall: { name: "finish", arguments: { summary: "fixed" } } },
]);

const PARALLEL = Number(process.env.CLADE_SOAK_PARALLEL ?? 2);
let passed = 0;
let done = 0;
const failures: string[] = [];
/** RSS after a GC every 25 runs past the warm-up: growth compares the first and last few samples (RSS is noisy). */
const samples: number[] = [];
/** external + arrayBuffers at the same points: growth outside the JS heap that JS still holds. */
const externals: number[] = [];
let next = 1;
const started = Date.now();
// PARALLEL runs at a time, as a session runs them (parallel: 2) — on this 2-core machine one at a
// time takes ~0.7 s a run. Runs 1..last in order, each on a fresh provider.
async function runUntil(last: number): Promise<void> {
  const worker = async () => {
    for (let i = next++; i <= last; i = next++) {
      const result = await runTask({ task, versionId: "seed", bundle, provider: script(), runsDir, runId: `soak${i}` });
      if (result.passed) passed++;
      else failures.push(`run ${i}: ${result.stopReason}${result.error ? ` ${result.error.message.slice(0, 200)}` : ""}; test exit ${result.test?.exitCode} ${result.test?.timedOut ? "(timed out)" : ""} ${result.test?.output.slice(-200) ?? ""}`);
      if (++done % 25 === 0 && done > WARMUP) {
        gc();
        samples.push(process.memoryUsage().rss);
        const m = process.memoryUsage();
        externals.push(m.external + m.arrayBuffers);
        if (process.env.CLADE_SOAK_DEBUG) {
          const smaps = readFileSync("/proc/self/smaps_rollup", "utf8");
          const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(smaps)?.[1] ?? 0);
          const spaces = v8.getHeapSpaceStatistics().map((sp) => `${sp.space_name.replace("_space", "")}=${(sp.space_size / 2 ** 20).toFixed(1)}`).join(" ");
          process.stderr.write(`[soak-debug] ${done} rss=${mib(m.rss)} heapTotal=${mib(m.heapTotal)} heapUsed=${mib(m.heapUsed)} anon=${(kb("Anonymous") / 1024).toFixed(1)} file=${((kb("Rss") - kb("Anonymous")) / 1024).toFixed(1)} ${spaces}\n`);
        }
      }
      if (done % 50 === 0) process.stderr.write(`[soak] ${done}/${RUNS} runs, ${((Date.now() - started) / 1000).toFixed(0)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, fds ${fds()}\n`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  next = last + 1;
}
// Warm-up: the first runs load what every later run shares (modules, caches, lazily opened handles).
await runUntil(WARMUP);
await settle();
gc();
const warm = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
const baseline = { fds: fds(), children: descendants().length };
await runUntil(RUNS);
const seconds = (Date.now() - started) / 1000;
await settle();
gc();
const end = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, fds: fds(), left: descendants() };
// The smallest of each window: a leak raises the floor; allocator noise only adds transient peaks.
const head = Math.min(...(samples.slice(0, 3).length ? samples.slice(0, 3) : [warm.rss]));
const tail = Math.min(...(samples.slice(-3).length ? samples.slice(-3) : [end.rss]));
const growth = ((tail - head) / head) * 100;
const heapGrowth = ((end.heap - warm.heap) / warm.heap) * 100;
const zombies = processes().filter((p) => p.state === "Z" && (p.ppid === process.pid || end.left.some((d) => d.pid === p.pid))).length;
Object.assign(report.figures, {
  runs: RUNS, warmupRuns: WARMUP, seconds: Math.round(seconds), rssGrowthPercent: Number(growth.toFixed(1)), heapGrowthPercent: Number(heapGrowth.toFixed(1)),
  rssWarmMiB: Math.round(warm.rss / 2 ** 20), rssEndMiB: Math.round(end.rss / 2 ** 20), fdsBaseline: baseline.fds, fdsAfter: end.fds,
  childrenBaseline: baseline.children, childrenAfter: end.left.length, zombies,
});
report.add(`${RUNS} consecutive runs all scored a pass`, passed === RUNS, `${passed}/${RUNS} passed in ${seconds.toFixed(0)} s (${((seconds * 1000) / RUNS).toFixed(0)} ms a run)${failures.length ? `; failed: ${failures.join(" / ")}` : ""}`);
report.add("RSS growth after warm-up ≤ 10%", growth <= 10, `RSS (after GC, lowest of 3 samples) ${mib(head)} MiB after warm-up → ${mib(tail)} MiB at the end (${growth.toFixed(1)}%; heap ${heapGrowth.toFixed(1)}%); samples every 25 runs: ${samples.map(mib).join(" ")}; external+arrayBuffers ${externals.map(mib).join(" ")} MiB`);
report.add("open file descriptors back to baseline", end.fds <= baseline.fds, `${baseline.fds} after warm-up, ${end.fds} at the end`);
report.add("child processes back to baseline", end.left.length <= baseline.children, `${baseline.children} after warm-up, ${end.left.length} at the end${end.left.length ? `: ${end.left.map((p) => p.pid).join(", ")}` : ""}`);
report.add("no zombie processes", zombies === 0, `${zombies} zombies`);
report.print();
