// Packages Clade as a platform-specific VSIX with @vscode/vsce: production bundles, node-llama-cpp
// with only the files it loads, the target platform's prebuilt llama.cpp binaries, and the LoRA
// trainer built against them.
//   node scripts/package.mjs [--target linux-x64] [--without-cuda] [--out FILE] [--json] [--list]
// Binaries: CPU and Vulkan always; CUDA (node-llama-cpp's main CUDA build, ~180 MB unpacked) for
// the targets node-llama-cpp builds it for (linux-x64, win32-x64) unless --without-cuda. Never its
// `-cuda-ext` package (a ~360 MB fallback build): without it a GPU the main build cannot drive
// falls back to Vulkan or the CPU, and the Model view says which backend runs and why.
// File count: node-llama-cpp's dependencies are pruned to the JavaScript files its own code can
// load (esbuild's metafile of its entry point, dynamic imports included); packages it never loads
// (its CLI's yargs, cmake-js, tar…) and those bundled into dist/ are left out.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";

const args = process.argv.slice(2);
const valueOf = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const hostTarget = `${process.platform}-${process.arch}`;
const target = valueOf("--target", hostTarget);
const CUDA_TARGETS = new Set(["linux-x64", "win32-x64"]);
const withCuda = CUDA_TARGETS.has(target) && !args.includes("--without-cuda");
const json = args.includes("--json");
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const vsce = path.join(root, "node_modules", ".bin", "vsce");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const say = (line) => (json ? process.stderr : process.stdout).write(`${line}\n`);

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}

// node-llama-cpp's binary packages are named <platform>-<arch>(-<variant>) with "win" and "mac" where
// vsce targets say "win32" and "darwin" (e.g. win32-x64 -> @node-llama-cpp/win-x64, win-x64-cuda).
const binaryBase = target.replace(/^win32-/, "win-").replace(/^darwin-/, "mac-");
const binaryDir = path.join(root, "node_modules", "@node-llama-cpp");
const installed = existsSync(binaryDir) ? readdirSync(binaryDir) : [];
const keep = (name) => name === binaryBase || (name.startsWith(`${binaryBase}-`) && !name.endsWith("-cuda-ext") && (withCuda || !name.includes("cuda")));
const kept = installed.filter(keep);
if (!kept.length) {
  fail(`no node_modules/@node-llama-cpp/${binaryBase}* package is installed, so the VSIX would have no llama.cpp binary for ${target}.\n  fix: run \`npm install\` on ${target}, or install them with \`npm install --no-save --force @node-llama-cpp/${binaryBase}\`.`);
}
if (withCuda && !kept.includes(`${binaryBase}-cuda`)) {
  fail(`node_modules/@node-llama-cpp/${binaryBase}-cuda is not installed.\n  fix: \`npm install --no-save --force @node-llama-cpp/${binaryBase}-cuda\`, or package with --without-cuda.`);
}

// The trainer links the target's prebuilt libraries, so it is only packaged for the platform it was built on.
const trainers = target === hostTarget ? readdirSync(path.join(root, "native-models", "build")).filter((name) => /^clade-lora-train(-[a-z]+)?(\.exe)?$/.test(name)) : [];
if (target === hostTarget && !trainers.includes(process.platform === "win32" ? "clade-lora-train.exe" : "clade-lora-train")) {
  fail("native-models/build/clade-lora-train is missing, so the VSIX could not train adapters.\n  fix: run `npm run build:trainer` (needs cmake and a C++ compiler).");
}

execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs"), "--production"], { stdio: json ? ["ignore", 2, 2] : "inherit", cwd: root });

/** Every JavaScript file node-llama-cpp can load, relative to the root (esbuild follows static and literal dynamic imports). */
async function reachableFromNodeLlamaCpp() {
  const result = await esbuild.build({
    entryPoints: [path.join(root, "node_modules", "node-llama-cpp", "dist", "index.js")],
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    format: "esm",
    platform: "node",
    outdir: path.join(os.tmpdir(), "clade-vsix-reach"),
    loader: { ".node": "file" },
    external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), "@node-llama-cpp/*"],
    logLevel: "error",
    absWorkingDir: root,
  });
  return new Set(Object.keys(result.metafile.inputs).map((input) => input.split(path.sep).join("/")));
}

/** "node_modules/@scope/name" or "node_modules/name" (the innermost package) of a packaged file. */
function packageOf(file) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match?.[1];
}

// Loaded at run time by the engine itself (external in dist/engine.mjs), or native binaries: kept whole.
const KEPT_WHOLE = /^node_modules\/(typescript|esbuild|@esbuild\/[^/]+|@types\/node|@node-llama-cpp\/[^/]+)\//;

function writeIgnore(extra) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "clade-vsix-")), ".vscodeignore");
  writeFileSync(file, `${readFileSync(path.join(root, ".vscodeignore"), "utf8")}\n${extra.join("\n")}\n`);
  return file;
}

const listFiles = (ignoreFile) => execFileSync(vsce, ["ls", "--ignoreFile", ignoreFile], { cwd: root, encoding: "utf8" }).trim().split("\n");

const dropped = installed.filter((name) => !keep(name)).map((name) => `node_modules/@node-llama-cpp/${name}/**`);
const trainerLines = trainers.map((name) => `!native-models/build/${name}`);
const before = listFiles(writeIgnore([...dropped, ...trainerLines]));
const reachable = await reachableFromNodeLlamaCpp();
const isJs = (file) => /\.(c|m)?js$/.test(file);
const pruned = before.filter((file) => file.startsWith("node_modules/") && !KEPT_WHOLE.test(file) && isJs(file) && !reachable.has(file));
const remaining = before.filter((file) => !pruned.includes(file));
// A package left with no JavaScript at all goes whole (its package.json, licence and types too).
const emptied = [...new Set(pruned.map(packageOf))].filter((pkg) => pkg && !remaining.some((file) => file.startsWith(`${pkg}/`) && isJs(file)));
const ignoreFile = writeIgnore([...dropped, ...trainerLines, ...emptied.map((pkg) => `${pkg}/**`), ...pruned]);

if (args.includes("--list")) {
  // What would be packaged, one path per line (no build of the VSIX).
  process.stdout.write(`${listFiles(ignoreFile).join("\n")}\n`);
  process.exit(0);
}

const out = path.resolve(valueOf("--out", path.join(root, `${manifest.name}-${target}-${manifest.version}.vsix`)));
// Relative links in README.md (e.g. ARCHITECTURE.md) resolve against the repository URL.
const base = String(manifest.repository?.url ?? "https://example.invalid/clade").replace(/\.git$/, "");
const common = ["--ignoreFile", ignoreFile, "--no-update-package-json", "--allow-missing-repository", "--baseContentUrl", `${base}/blob/main`, "--baseImagesUrl", `${base}/raw/main`];
execFileSync(vsce, ["package", "--target", target, "--out", out, ...common], { stdio: json ? ["ignore", 2, 2] : "inherit", cwd: root });

const files = listFiles(ignoreFile);
const bytes = files.reduce((sum, file) => sum + (existsSync(path.join(root, file)) ? statSync(path.join(root, file)).size : 0), 0);
const summary = {
  vsix: out,
  target,
  vsixBytes: statSync(out).size,
  files: files.length,
  javascriptFiles: files.filter(isJs).length,
  unpackedBytes: bytes,
  filesBeforePruning: before.length,
  binaries: kept,
  trainers,
  prunedFiles: pruned.length,
  prunedPackages: emptied.map((pkg) => pkg.replace(/^node_modules\//, "")),
};
if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else {
  say(`package: ${out} (${(summary.vsixBytes / 1e6).toFixed(1)} MB)`);
  say(`  binaries: ${kept.join(", ")}; trainer: ${trainers.join(", ") || "none (another platform)"}`);
  say(`  files: ${files.length} (${summary.javascriptFiles} JavaScript), ${(bytes / 1e6).toFixed(1)} MB unpacked; ${before.length} before pruning node-llama-cpp's dependencies to what it loads`);
}
