// `npm test`: everything CI checks, in order — build, typecheck, lint, unit + integration tests
// (vitest, real llama.cpp), and the end-to-end tests in a real VS Code (code-server + Chromium; the
// setup step installs them on first use). Runs every step even after a failure, then reports.
import { spawnSync } from "node:child_process";

const steps = [
  ["setup (Debian packages: chromium, bubblewrap, unzip, cmake, g++, redis-server; code-server with Node 24)", ["node", "scripts/setupE2e.mjs"]],
  // llama.cpp's llama-server from node-llama-cpp's own source, once per version (cached in ~/.cache/clade): the inference-server tests start it.
  ["setup (llama-server from node-llama-cpp's llama.cpp source, cached)", ["node", "scripts/setupLlamaServer.mjs"]],
  ["build", ["node", "scripts/build.mjs"]],
  ["typecheck", ["npx", "tsc", "--noEmit", "-p", "."]],
  ["lint", ["npx", "eslint", "."]],
  ["vitest (unit + integration)", ["npx", "vitest", "run"]],
  ["e2e (real VS Code)", ["node", "test/e2e/run.mjs"]],
  // The VSIX as a user installs it: packaged (CUDA included), unpacked, its engine and trainer run from there.
  ["vsix (package, unpack, run the packaged engine and trainer)", ["node", "test/package/vsix.mjs"]],
  // The main job as a new user runs it (`npm start`): a real session with the agent test model
  // (cached by the vitest step), the tree, status and the best version's diff.
  ["npm start (the main job: a real self-improvement session)", ["node", "scripts/start.mjs"]],
  ["webview graph in Chromium (1,000-node render time, CSP, sanitizing)", ["node", "test/e2e/graphBench.mjs"]],
  // All reliability suites, as `npm run test:reliability`: crash, hostile agents, bad input, the
  // VS Code side (webview CSP), and the 500-run soak in one engine. Prints the figures.
  ["reliability (crash, hostile agents, bad input, webview, soak)", ["node", "scripts/reliability.mjs"]],
];

const only = process.argv.slice(2);
const results = [];
for (const [name, [command, ...args]] of steps) {
  if (only.length && !only.some((word) => name.startsWith(word))) continue;
  const started = Date.now();
  console.log(`\n=== ${name}: ${command} ${args.join(" ")}`);
  const { status } = spawnSync(command, args, { stdio: "inherit", env: process.env });
  results.push({ name, ok: status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  if (status !== 0 && name.startsWith("setup")) break; // nothing after it can run without its packages
}

console.log("\n=== summary");
for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
