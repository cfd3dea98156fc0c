// Builds Clade's LoRA trainer (native-models/trainer/) against node-llama-cpp's own llama.cpp:
// headers from the source bundle node-llama-cpp ships (cloned once into native-models/build/llama.cpp),
// libraries from its prebuilt binaries (linked, with an rpath to their directory). Only the trainer
// is compiled, never llama.cpp itself.
//
//   node scripts/buildTrainer.mjs [--variant auto|cpu|cuda|vulkan|all] [--jobs N] [--force]
//
// Output: native-models/build/clade-lora-train (CPU), clade-lora-train-cuda, clade-lora-train-vulkan.
// `auto` (default) builds the CPU variant plus CUDA/Vulkan where their tools (nvidia-smi, vulkaninfo)
// and node-llama-cpp's prebuilt packages are present.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildRoot = path.join(root, "native-models", "build");
const sourceDir = path.join(root, "native-models", "trainer");
const nlcDir = path.join(root, "node_modules", "node-llama-cpp");
const installHint =
  "Install cmake (3.14+) and a C++17 compiler, then run `npm run build:trainer` again:\n" +
  "  Debian/Ubuntu: sudo apt-get install cmake g++ git\n" +
  "  Fedora:        sudo dnf install cmake gcc-c++ git\n" +
  "  macOS:         xcode-select --install && brew install cmake";

// --optional (used by `npm install`): where the trainer cannot be built, say why and succeed, so
// installing Clade never fails for want of a compiler; LoRA training then reports what to install.
const optional = process.argv.includes("--optional");

function fail(message) {
  console.error(`build:trainer: ${message}`);
  if (optional) console.error("build:trainer: skipped (LoRA training stays unavailable until `npm run build:trainer` succeeds).");
  process.exit(optional ? 0 : 1);
}

function parseArgs(argv) {
  const args = { variant: "auto", jobs: Math.max(1, Math.min(os.cpus().length, 4)), force: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--variant") args.variant = argv[++i];
    else if (argv[i] === "--jobs") args.jobs = Number(argv[++i]);
    else if (argv[i] === "--force") args.force = true;
    else if (argv[i] === "--optional") continue;
    else fail(`unknown argument ${argv[i]} (use --variant auto|cpu|cuda|vulkan|all, --jobs N, --force)`);
  }
  if (!["auto", "cpu", "cuda", "vulkan", "all"].includes(args.variant)) fail(`unknown --variant ${args.variant}`);
  if (!Number.isInteger(args.jobs) || args.jobs < 1) fail("--jobs expects a positive integer");
  return args;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}\n${installHint}`);
  if (result.status !== 0) fail(`${command} ${args.join(" ")} failed with exit code ${result.status}`);
}

function hasTool(command, args = ["--version"]) {
  const result = spawnSync(command, args, { stdio: "ignore" });
  return !result.error && result.status === 0;
}

function checkTools() {
  if (!hasTool("cmake")) fail(`cmake was not found on PATH.\n${installHint}`);
  const compilers = [process.env.CXX, "c++", "g++", "clang++"].filter(Boolean);
  if (!compilers.some((cxx) => hasTool(cxx))) fail(`no C++ compiler (c++, g++ or clang++) was found on PATH.\n${installHint}`);
  if (!hasTool("git")) fail(`git was not found on PATH (it unpacks llama.cpp's sources from node-llama-cpp's bundle).\n${installHint}`);
}

// node-llama-cpp's package names for this platform: linux-x64, linux-arm64, mac-arm64-metal, mac-x64, ...
function platformPackages() {
  const arch = process.arch === "arm" ? "armv7l" : process.arch;
  if (process.platform === "linux") return { cpu: [`linux-${arch}`], cuda: [`linux-${arch}-cuda`], vulkan: [`linux-${arch}-vulkan`] };
  if (process.platform === "darwin") return { cpu: [`mac-${arch}-metal`, `mac-${arch}`], cuda: [], vulkan: [] };
  fail(`building the trainer on ${process.platform}/${process.arch} is not supported yet (Linux and macOS are). LoRA training is unavailable on this machine.`);
}

function binsDir(packageName) {
  const dir = path.join(root, "node_modules", "@node-llama-cpp", packageName, "bins", packageName);
  return fs.existsSync(dir) ? dir : undefined;
}

function chooseVariants(requested) {
  const packages = platformPackages();
  const found = {};
  for (const [variant, names] of Object.entries(packages)) {
    const dir = names.map(binsDir).find(Boolean);
    if (dir) found[variant] = dir;
  }
  if (!found.cpu) fail(`node-llama-cpp's prebuilt binaries for ${process.platform}-${process.arch} are missing (looked for @node-llama-cpp/${packages.cpu.join(" or ")}). Run \`npm install\`.`);
  if (requested === "auto") {
    const variants = ["cpu"];
    if (found.cuda && hasTool("nvidia-smi", ["-L"])) variants.push("cuda");
    if (found.vulkan && hasTool("vulkaninfo", ["--summary"])) variants.push("vulkan");
    return variants.map((v) => [v, found[v]]);
  }
  const variants = requested === "all" ? Object.keys(found) : [requested];
  return variants.map((v) => {
    if (!found[v]) fail(`node-llama-cpp's prebuilt ${v} binaries are not installed for this platform.`);
    return [v, found[v]];
  });
}

// Unpacks the llama.cpp sources matching the prebuilt libraries (headers must match them exactly).
function ensureLlamaSources() {
  const bundle = path.join(nlcDir, "llama", "gitRelease.bundle");
  const infoFile = path.join(nlcDir, "llama", "llama.cpp.info.json");
  if (!fs.existsSync(bundle) || !fs.existsSync(infoFile)) fail(`node-llama-cpp's llama.cpp source bundle is missing (${bundle}). Run \`npm install\`.`);
  const tag = JSON.parse(fs.readFileSync(infoFile, "utf8")).tag;
  const dest = path.join(buildRoot, "llama.cpp");
  const stamp = path.join(buildRoot, "llama.cpp.tag");
  const current = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8").trim() : undefined;
  if (current === tag && fs.existsSync(path.join(dest, "include", "llama.h"))) return dest;
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(buildRoot, { recursive: true });
  console.log(`build:trainer: unpacking llama.cpp ${tag} from node-llama-cpp's bundle`);
  run("git", ["-c", "advice.detachedHead=false", "clone", "--quiet", bundle, dest]);
  fs.writeFileSync(stamp, `${tag}\n`);
  return dest;
}

function buildVariant(variant, libDir, llamaSrc, { jobs, force }) {
  const buildDir = path.join(buildRoot, `trainer-${variant}`);
  const cache = path.join(buildDir, "CMakeCache.txt");
  // Relative to the copy in native-models/build/ (see CMakeLists.txt): relocatable with the extension.
  // BUILD_WITH_INSTALL_RPATH: only that path, not the absolute link directories CMake adds to a build's RPATH.
  const origin = process.platform === "darwin" ? "@loader_path" : "$ORIGIN";
  const rpath = `${origin}/${path.relative(buildRoot, libDir).split(path.sep).join("/")}`;
  const cached = fs.existsSync(cache) ? fs.readFileSync(cache, "utf8") : "";
  const configured = cached.includes(`CLADE_LLAMA_BIN_DIR:PATH=${libDir}`) && cached.includes(`CLADE_LLAMA_RPATH:STRING=${rpath}`) && cached.includes("CMAKE_BUILD_WITH_INSTALL_RPATH:UNINITIALIZED=ON");
  if (force || !configured) {
    fs.rmSync(buildDir, { recursive: true, force: true });
    run("cmake", ["-S", sourceDir, "-B", buildDir, "-DCMAKE_BUILD_TYPE=Release", `-DCLADE_LLAMA_SRC=${llamaSrc}`, `-DCLADE_LLAMA_BIN_DIR=${libDir}`, `-DCLADE_LLAMA_RPATH:STRING=${rpath}`, "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON"], { stdio: ["ignore", "ignore", "inherit"] });
  }
  run("cmake", ["--build", buildDir, "--parallel", String(jobs)]);
  const output = path.join(buildRoot, variant === "cpu" ? "clade-lora-train" : `clade-lora-train-${variant}`);
  // Copy then rename: replacing a binary that another process is running fails with "text file busy".
  const staging = `${output}.${process.pid}.tmp`;
  fs.copyFileSync(path.join(buildDir, "clade-lora-train"), staging);
  fs.chmodSync(staging, 0o755);
  fs.renameSync(staging, output);
  return output;
}

const args = parseArgs(process.argv.slice(2));
const variants = chooseVariants(args.variant);
checkTools();
const llamaSrc = ensureLlamaSources();
const started = Date.now();
for (const [variant, libDir] of variants) {
  const output = buildVariant(variant, libDir, llamaSrc, args);
  console.log(`build:trainer: built ${path.relative(root, output)} (${variant}, libraries in ${path.relative(root, libDir)})`);
}
console.log(`build:trainer: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
