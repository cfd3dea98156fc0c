#!/usr/bin/env node
// Builds llama.cpp's `llama-server` from the source node-llama-cpp ships
// (node_modules/node-llama-cpp/llama/gitRelease.bundle: the same llama.cpp as the in-process
// engine), CPU only, no network (no curl, no prebuilt web UI), once per llama.cpp version, cached
// outside the clone: $CLADE_CACHE_DIR or ~/.cache/clade, under llama-server/<tag>/bin/llama-server.
// Tests start it on 127.0.0.1 (test/helpers/llamaServer.ts); users may point
// `--model openai:http://127.0.0.1:PORT/v1#name` at it.
//   node scripts/setupLlamaServer.mjs [--print-path] [--rebuild]
// Idempotent: with the binary cached it only checks that it runs.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nlcDir = path.join(root, "node_modules", "node-llama-cpp");

function fail(message, fix) {
  process.stderr.write(`setup-llama-server: ${message}\n  fix: ${fix}\n`);
  process.exit(1);
}

export function llamaServerTag() {
  const infoFile = path.join(nlcDir, "llama", "llama.cpp.info.json");
  if (!fs.existsSync(infoFile)) fail(`node-llama-cpp's llama.cpp info is missing (${infoFile}).`, "run `npm install`.");
  return JSON.parse(fs.readFileSync(infoFile, "utf8")).tag;
}

/** Where the binary for this node-llama-cpp's llama.cpp lives (whether built or not). */
export function llamaServerPath() {
  const cache = process.env.CLADE_CACHE_DIR ?? path.join(os.homedir(), ".cache", "clade");
  return path.join(cache, "llama-server", llamaServerTag(), "bin", process.platform === "win32" ? "llama-server.exe" : "llama-server");
}

function runs(binary) {
  if (!fs.existsSync(binary)) return false;
  const result = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return result.status === 0;
}

function hasTool(command) {
  return spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;
}

/** Builds (or finds) llama-server; returns its path. */
export function ensureLlamaServer({ rebuild = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const binary = llamaServerPath();
  if (!rebuild && runs(binary)) return binary;
  const home = path.dirname(path.dirname(binary));
  for (const tool of ["cmake", "git"]) if (!hasTool(tool)) fail(`${tool} was not found on PATH.`, "Debian/Ubuntu: apt-get install -y cmake g++ git (Fedora: dnf install cmake gcc-c++ git).");
  if (!hasTool("c++") && !hasTool("g++") && !hasTool("clang++")) fail("no C++ compiler was found on PATH.", "Debian/Ubuntu: apt-get install -y g++.");
  const bundle = path.join(nlcDir, "llama", "gitRelease.bundle");
  if (!fs.existsSync(bundle)) fail(`node-llama-cpp's llama.cpp source bundle is missing (${bundle}).`, "run `npm install`.");
  const tag = llamaServerTag();
  const started = Date.now();
  const src = path.join(home, "src");
  const build = path.join(home, "build");
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  log(`setup-llama-server: building llama-server ${tag} from node-llama-cpp's source bundle (CPU, a few minutes) into ${home}`);
  execFileSync("git", ["-c", "advice.detachedHead=false", "clone", "--quiet", bundle, src], { stdio: ["ignore", "ignore", "inherit"] });
  const options = [
    "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF",
    // No network during the build: no prebuilt web UI from the Hugging Face bucket, none built.
    "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_BUILD_TOOLS=ON",
    "-DGGML_CUDA=OFF", "-DGGML_VULKAN=OFF", "-DGGML_METAL=OFF",
  ];
  execFileSync("cmake", ["-S", src, "-B", build, ...options], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("cmake", ["--build", build, "--target", "llama-server", "--parallel", String(os.availableParallelism())], { stdio: ["ignore", "ignore", "inherit"] });
  const built = [path.join(build, "bin", path.basename(binary)), path.join(build, "bin", "Release", path.basename(binary))].find((file) => fs.existsSync(file));
  if (!built) fail(`the build finished but ${path.basename(binary)} is not in ${path.join(build, "bin")}.`, "rerun with --rebuild and read cmake's output.");
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  fs.copyFileSync(built, binary);
  fs.chmodSync(binary, 0o755);
  // The sources and objects are large; the binary is static and all that is kept.
  fs.rmSync(src, { recursive: true, force: true });
  fs.rmSync(build, { recursive: true, force: true });
  fs.writeFileSync(path.join(home, "build.json"), `${JSON.stringify({ tag, builtAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) }, null, 2)}\n`);
  if (!runs(binary)) fail(`the built ${binary} does not run.`, "rerun with --rebuild.");
  log(`setup-llama-server: built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const binary = ensureLlamaServer({ rebuild: process.argv.includes("--rebuild") });
  if (process.argv.includes("--print-path")) process.stdout.write(`${binary}\n`);
  else process.stderr.write(`setup-llama-server: ready: ${binary}\n`);
}
