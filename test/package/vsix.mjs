#!/usr/bin/env node
// The VSIX a user installs, checked as installed: `scripts/package.mjs` packages this platform's
// VSIX (CPU, Vulkan and CUDA binaries, the trainer, node-llama-cpp pruned to what it loads), the
// test unpacks it into a temp folder and, from there only:
//   1. starts the packaged engine (dist/engine.mjs) over IPC JSON-RPC as VS Code does, asks it for
//      the hardware (backend and why), and loads a generated model with it;
//   2. runs the packaged LoRA trainer, which must find llama.cpp's libraries inside the unpacked
//      folder (a relative RUNPATH), not in this checkout;
//   3. bounds the file count (vsce warned at 1,758 files) and checks what is shipped and what not.
// Restores the development build of dist/ afterwards. Exit code 1 on any failure.
import { execFileSync, fork, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from "vscode-jsonrpc/node";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "clade-vsix-test-"));
const target = `${process.platform}-${process.arch}`;
// vsce warned at 1,758 files; pruning brings it to ~1,270. node-llama-cpp itself cannot be bundled:
// it forks its own dist/bindings/utils/testBindingBinary.js by file name to test a binary before
// loading it, and finds its llama/ folder relative to its files, so its loadable files ship as files.
const MAX_FILES = 1300;
const checks = [];
const check = (ok, name, detail = "") => {
  checks.push({ ok: Boolean(ok), name });
  process.stdout.write(`${ok ? "  ✓" : "  ✗"} ${name}${detail ? ` — ${detail}` : ""}\n`);
};

async function main() {
  // A model to load, made by the development CLI before dist/ turns into production bundles.
  const model = path.join(work, "model.gguf");
  execFileSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "model", "test-model", "--out", model, "--json"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });

  const started = Date.now();
  const vsix = path.join(work, "clade.vsix");
  const summary = JSON.parse(execFileSync(process.execPath, [path.join(root, "scripts", "package.mjs"), "--out", vsix, "--json"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 }));
  process.stdout.write(`[vsix] packaged in ${((Date.now() - started) / 1000).toFixed(1)} s: ${(summary.vsixBytes / 1e6).toFixed(1)} MB, ${summary.files} files (${summary.javascriptFiles} JavaScript; ${summary.filesBeforePruning} before pruning), binaries ${summary.binaries.join(", ")}, trainer ${summary.trainers.join(", ")}\n`);
  check(summary.files <= MAX_FILES, `at most ${MAX_FILES} files in the VSIX`, `${summary.files}`);
  check(summary.binaries.includes(target), `the ${target} CPU binaries are packaged`);
  if (target === "linux-x64" || target === "win32-x64") check(summary.binaries.includes(`${target}-cuda`) && !summary.binaries.includes(`${target}-cuda-ext`), `the ${target} CUDA binaries are packaged (not the -ext fallback)`, summary.binaries.join(", "));
  check(summary.trainers.includes(process.platform === "win32" ? "clade-lora-train.exe" : "clade-lora-train"), "the LoRA trainer is packaged");

  const unpacked = path.join(work, "unpacked");
  execFileSync("unzip", ["-q", vsix, "-d", unpacked]);
  const extension = path.join(unpacked, "extension");
  const exists = (rel) => fs.existsSync(path.join(extension, rel));
  check(exists("dist/engine.mjs") && exists("dist/extension.js") && !exists("dist/cli.mjs"), "the bundles are packaged (not the CLI)");
  check(!exists("node_modules/yargs") && !exists("node_modules/cmake-js") && !exists("node_modules/node-llama-cpp/dist/cli/cli.js"), "node-llama-cpp's CLI and build tooling are left out");
  check(exists("extension/seed-agent/src/settings.ts") && exists("native-models/catalog.json"), "the seed agent and the model catalog are packaged");

  // 1. The packaged engine, as VS Code starts it.
  const flags = JSON.parse(fs.readFileSync(path.join(root, "extension", "engine", "rpc", "engineNodeFlags.json"), "utf8"));
  const child = fork(path.join(extension, "dist", "engine.mjs"), [], { cwd: work, execArgv: flags.execArgv, stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "json", env: { ...process.env, ...flags.env, ELECTRON_RUN_AS_NODE: "1" } });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  try {
    const pong = await connection.sendRequest("engine/ping", null);
    check(pong.pid === child.pid, "the packaged engine answers ping");
    const hardware = await connection.sendRequest("system/hardware", { gpu: "auto" });
    check(typeof hardware.backendReason === "string" && hardware.backendReason.length > 10, "it says which backend runs and why", `${hardware.backend}: ${hardware.backendReason}`);
    const info = await connection.sendRequest("model/load", { model, gpu: "auto", threads: 2, contextSize: 512, sequences: 1 });
    check(info.parameterCount > 0 && info.backend === hardware.backend, "it loads a model with llama.cpp from the packaged binaries", `${info.architecture}, ${info.parameterCount} parameters, ${info.backend}, ${info.loadMs} ms`);
    const loadedFrom = fs.readFileSync(`/proc/${child.pid}/maps`, "utf8").split("\n").map((line) => line.split(/\s+/).at(-1)).filter((file) => /libllama|llama-addon/.test(file ?? ""));
    check(loadedFrom.length > 0 && loadedFrom.every((file) => file.startsWith(unpacked)), "llama.cpp's libraries were loaded from the unpacked VSIX", [...new Set(loadedFrom)].map((f) => path.relative(work, f)).join(", "));
  } catch (error) {
    check(false, "the packaged engine serves requests", `${error instanceof Error ? error.message : String(error)}\n${stderr}`);
  } finally {
    connection.dispose();
    child.kill("SIGKILL");
  }

  // 2. The packaged trainer: `--help`-less run prints its usage (exit 2) once its libraries load.
  const trainer = path.join(extension, "native-models", "build", "clade-lora-train");
  const run = spawnSync(trainer, [], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  check(run.status === 2 && /usage: clade-lora-train/.test(run.stderr + run.stdout), "the packaged trainer runs (its libraries resolve)", `exit ${run.status}${run.status === 2 ? "" : `: ${(run.stderr || "").slice(0, 300)}`}`);
  if (process.platform === "linux") {
    const ldd = execFileSync("ldd", [trainer], { encoding: "utf8" });
    const llama = /libllama[^\s]* => (\S+)/.exec(ldd)?.[1] ?? "";
    check(llama.startsWith(unpacked), "the trainer resolves libllama inside the unpacked VSIX (relative RUNPATH)", path.relative(work, llama) || ldd.trim().split("\n")[0]);
  }
}

try {
  await main();
} catch (error) {
  check(false, "the VSIX test ran", error instanceof Error ? error.stack ?? error.message : String(error));
} finally {
  // Back to the development bundles the other steps use.
  execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "ignore" });
  fs.rmSync(work, { recursive: true, force: true });
}
const failed = checks.filter((c) => !c.ok).length;
process.stdout.write(`${checks.length - failed} passed, ${failed} failed\n`);
process.exitCode = failed ? 1 : 0;
