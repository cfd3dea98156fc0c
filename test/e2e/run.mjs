#!/usr/bin/env node
// End-to-end tests of the Clade extension in a real VS Code (code-server 4.139.1, see
// design/VSCODE.md), offline and headless:
//   1. setup (idempotent; scripts/setupE2e.mjs), build, a test model and what it should report
//   2. code-server with its own HOME/XDG/TMPDIR and settings pointing Clade at the model
//   3. extension-host tests (test/e2e/hostTests.ts) loaded by URL payload, exit code via codeAutomationExit
//   4. UI tests with playwright-core + /usr/bin/chromium; screenshots in test-output/e2e/
//   (clade.model.* go into the server's machine settings: they are `scope: machine`)
// Exits non-zero on any failure; the last line is "N passed, M failed".
// Options: --skip-build (use dist/ as it is); CLADE_E2E_MODEL=<file.gguf> (test with that model
// instead of a generated one).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { codeServerBin, nodeBin, setupE2e, testDir } from "../../scripts/setupE2e.mjs";
import { freePort, prepareDirs, startCodeServer, startModelMirror, writeSettings } from "./codeServer.mjs";
import { modelFacts, prepareModel } from "./modelFacts.mjs";
import { seedArchive } from "./seedArchive.mjs";
import { runUiTests } from "./uiTest.mjs";
import { runRestrictedTests } from "./restrictedTest.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const outDir = path.join(root, "test-output", "e2e");
const HOST_TIMEOUT_MS = 5 * 60_000;
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const USER_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "clade.agent.maxTurns": 2,
  "clade.session.gateTasks": 0,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
};
const machineSettings = (model) => ({ "clade.model.path": model, "clade.model.threads": 1, "clade.model.contextSize": 2048, "clade.model.sequences": 1 });

const timings = [];
async function phase(name, run) {
  const started = Date.now();
  process.stdout.write(`[e2e] ${name}…\n`);
  try {
    return await run();
  } finally {
    timings.push([name, Date.now() - started]);
  }
}

function buildHostTests(buildDir) {
  const outfile = path.join(buildDir, "hostTests.js");
  esbuild.buildSync({ entryPoints: [path.join(root, "test", "e2e", "hostTests.ts")], outfile, bundle: true, platform: "node", format: "cjs", target: "node20", external: ["vscode"], logLevel: "warning" });
  return outfile;
}

function workbenchUrl(server, dirs, payload) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const entries = Object.entries(payload).map(([key, value]) => [key, key.endsWith("Path") ? remote(value) : value]);
  return `${server.url}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(entries))}`;
}

/** Opens the workbench with extensionTestsPath; resolves with the host's exit code and results. */
async function runHostTests({ browser, server, dirs, testsFile, expected }) {
  const resultsFile = path.join(dirs.tmp, "host-results.json");
  const page = await browser.newPage();
  const exited = new Promise((resolve) => page.exposeFunction("codeAutomationExit", (code) => resolve(code)));
  const env = JSON.stringify({ CLADE_E2E_EXPECTED: JSON.stringify(expected), CLADE_E2E_RESULTS: resultsFile });
  await page.goto(workbenchUrl(server, dirs, { extensionDevelopmentPath: root, extensionTestsPath: testsFile, extensionEnvironment: env }));
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve("timeout"), HOST_TIMEOUT_MS)));
  const code = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  await page.screenshot({ path: path.join(outDir, "00-host-tests.png") }).catch(() => undefined);
  await page.close();
  const outcomes = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, "utf8")) : [];
  const named = outcomes.map((o) => ({ ...o, name: `host: ${o.name}` }));
  if (code === "timeout") named.push({ name: "host: tests finished", ok: false, ms: HOST_TIMEOUT_MS, error: `no exit within ${HOST_TIMEOUT_MS / 1000} s` });
  else if (outcomes.length === 0) named.push({ name: "host: tests ran", ok: false, ms: 0, error: `the extension host exited with ${code} and wrote no results (see code-server.log)` });
  else if (code !== 0 && named.every((o) => o.ok)) named.push({ name: "host: exit code", ok: false, ms: 0, error: `the extension host exited with ${code}` });
  return named;
}

/** A second code-server with workspace trust on: the folder opens untrusted (restricted mode). */
async function runRestricted(browser, model) {
  const dirs = prepareDirs(path.join(testDir, "e2e-untrusted"));
  writeSettings(dirs, { machine: machineSettings(model), user: { ...USER_SETTINGS, "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never" } });
  const server = await startCodeServer({ nodeBin, entry: codeServerBin, port: await freePort(), dirs, logFile: path.join(outDir, "code-server-untrusted.log"), trust: true });
  try {
    return await runRestrictedTests({ browser, url: workbenchUrl(server, dirs, { extensionDevelopmentPath: root }), shotsDir: outDir, modelBase: path.basename(model) });
  } finally {
    await server.stop();
  }
}

/** Copies the Clade output channel log(s) from the user-data dir into test-output/e2e/. */
function collectLogs(dirs) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/Clade\.log$/.test(entry.name)) found.push(full);
    }
  };
  walk(path.join(dirs.userData, "logs"));
  const copies = found.map((file, i) => {
    const copy = path.join(outDir, `clade-${i + 1}.log`);
    fs.copyFileSync(file, copy);
    return copy;
  });
  return copies;
}

/** The error entries of the Clade logs (what a failed command reported), for the failure output. */
function logErrors(files) {
  const lines = files.flatMap((file) => fs.readFileSync(file, "utf8").split("\n"));
  return lines.filter((line, i) => / \[error\] /.test(line) || (i > 0 && / \[error\] /.test(lines[i - 1]) && line.startsWith("Fix:"))).slice(-12);
}

function report(outcomes) {
  for (const o of outcomes) {
    process.stdout.write(`${o.ok ? "  ✓" : "  ✗"} ${o.name} (${o.ms} ms)\n`);
    if (!o.ok) process.stdout.write(`      ${String(o.error).replace(/\n/g, "\n      ")}\n`);
    if (o.pageErrors) process.stdout.write(`      page errors: ${o.pageErrors.join(" | ")}\n`);
  }
}

/** The agent-capable test model and the T0 task an ask gives it (it was trained on that prompt). */
function prepareAsk(agentModel) {
  execFileSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "model", "test-model", "--preset", "agent", "--out", agentModel, "--threads", "2"], { cwd: root, stdio: ["ignore", "ignore", "inherit"], timeout: 40 * 60_000 });
  const taskDir = path.join(root, "extension", "engine", "tasks", "builtin", "T0", "t0-default-port");
  const task = JSON.parse(fs.readFileSync(path.join(taskDir, "task.json"), "utf8"));
  return { agentModel, instruction: task.instructions, file: "server-config.mjs", start: fs.readFileSync(path.join(taskDir, "files", "start", "server-config.mjs"), "utf8") };
}

async function main() {
  const started = Date.now();
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const outcomes = [];
  await phase("setup (scripts/setupE2e.mjs)", () => setupE2e());
  if (process.argv.includes("--skip-build")) process.stdout.write("[e2e] --skip-build: using the bundles already in dist/\n");
  else await phase("build", () => execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" }));
  const dirs = prepareDirs(path.join(testDir, "e2e-run"));
  const testsFile = await phase("bundle extension-host tests", () => buildHostTests(path.join(testDir, "e2e-build")));
  const model = await phase("test model", () => prepareModel(root, path.join(dirs.data, "test-model.gguf")));
  const expected = await modelFacts(model.file);
  if (model.generatorParameterCount !== undefined && model.generatorParameterCount !== expected.parameterCount) {
    throw new Error(`the generator says ${model.generatorParameterCount} parameters, the GGUF holds ${expected.parameterCount}`);
  }
  process.stdout.write(`[e2e] model: ${model.file} (${model.source}; ${expected.architecture}, ${expected.parameterCount} parameters)\n`);
  expected.ask = await phase("agent test model (from ~/.cache/clade, or built: ~11 min)", () => prepareAsk(path.join(dirs.data, "agent.gguf")));
  expected.archive = await phase("seed the workspace archive (clade evolve)", () => seedArchive(root, { model: model.file, workspace: dirs.workspace }));
  process.stdout.write(`[e2e] archive: ${expected.archive.nodes.map((n) => `${n.id}[${n.status} ${n.passed}/${n.evaluated}]`).join(" ")}; review child ${expected.archive.child?.id ?? "none"}\n`);
  writeSettings(dirs, {
    machine: machineSettings(model.file),
    user: USER_SETTINGS,
  });
  // "Download Recommended Model" fetches from a Hugging Face mirror on 127.0.0.1 serving the test model.
  const mirror = await startModelMirror(model.file);
  expected.download = { machineSettings: path.join(dirs.userData, "Machine", "settings.json"), userSettings: path.join(dirs.userData, "User", "settings.json"), mirror };
  const server = await phase("start code-server", async () => startCodeServer({ nodeBin, entry: codeServerBin, port: await freePort(), dirs, logFile: path.join(outDir, "code-server.log"), env: { MODEL_ENDPOINT: mirror.url } }));
  let browser;
  try {
    browser = await phase("start chromium", () => chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS }));
    outcomes.push(...(await phase("extension-host tests", () => runHostTests({ browser, server, dirs, testsFile, expected }))));
    const uiUrl = workbenchUrl(server, dirs, { extensionDevelopmentPath: root });
    // For the UI's ask: the agent test model, a context it was trained with, turns enough, and a
    // workspace holding exactly the files of the T0 task it is asked to do (its single-line wording
    // can be typed into the input box).
    const prepareUiAsk = () => {
      const taskDir = path.join(root, "extension", "engine", "tasks", "builtin", "T0", "t0-subtract-order");
      for (const name of fs.readdirSync(dirs.workspace)) if (name !== ".clade") fs.rmSync(path.join(dirs.workspace, name), { recursive: true, force: true });
      fs.cpSync(path.join(taskDir, "files", "start"), dirs.workspace, { recursive: true });
      writeSettings(dirs, { machine: { ...machineSettings(expected.ask.agentModel), "clade.model.contextSize": 2560 }, user: { ...USER_SETTINGS, "clade.agent.maxTurns": 8 } });
      return { instruction: JSON.parse(fs.readFileSync(path.join(taskDir, "task.json"), "utf8")).instructions, file: path.join(dirs.workspace, "calc.mjs") };
    };
    outcomes.push(...(await phase("UI tests", () => runUiTests({ browser, url: uiUrl, expected, shotsDir: outDir, prepareUiAsk }))));
  } finally {
    await server.stop();
    await mirror.stop();
  }
  try {
    if (browser) outcomes.push(...(await phase("restricted mode (untrusted workspace)", () => runRestricted(browser, model.file))));
  } finally {
    await browser?.close().catch(() => undefined);
  }
  const logs = collectLogs(dirs);
  report(outcomes);
  if (outcomes.some((o) => !o.ok) && logs.length) process.stdout.write(`[e2e] errors in the Clade log:\n  ${logErrors(logs).join("\n  ")}\n`);
  for (const [name, ms] of timings) process.stdout.write(`[e2e] time ${name}: ${(ms / 1000).toFixed(1)} s\n`);
  process.stdout.write(`[e2e] total ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots and logs in ${path.relative(root, outDir)}/\n`);
  return outcomes;
}

main().then(
  (outcomes) => {
    const failed = outcomes.filter((o) => !o.ok).length;
    process.stdout.write(`${outcomes.length - failed} passed, ${failed} failed\n`);
    process.exitCode = failed > 0 || outcomes.length === 0 ? 1 : 0;
  },
  (error) => {
    process.stderr.write(`[e2e] ERROR: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.stdout.write("0 passed, 1 failed\n");
    process.exitCode = 1;
  },
);
