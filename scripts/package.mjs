// Packages Clade as a platform-specific VSIX with @vscode/vsce: production bundles, node-llama-cpp
// and only the target platform's prebuilt llama.cpp binaries.
//   node scripts/package.mjs [--target linux-x64] [--with-cuda]
// The CPU and Vulkan binaries go in by default; CUDA binaries (~540 MB) only with --with-cuda.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const valueOf = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const target = valueOf("--target", `${process.platform === "win32" ? "win32" : process.platform}-${process.arch}`);
const withCuda = args.includes("--with-cuda");
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const vsce = path.join(root, "node_modules", ".bin", "vsce");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));

// node-llama-cpp's binary packages are named after platform-arch(-variant); vsce targets use the same words.
const binaryDir = path.join(root, "node_modules", "@node-llama-cpp");
const installed = existsSync(binaryDir) ? readdirSync(binaryDir) : [];
const keep = (name) => name === target || (name.startsWith(`${target}-`) && (withCuda || !name.includes("cuda")));
const kept = installed.filter(keep);
if (!kept.includes(target)) {
  console.error(`package: node_modules/@node-llama-cpp/${target} is not installed, so the VSIX would have no llama.cpp binary for ${target}.\n  fix: run \`npm install\` on ${target}, or install @node-llama-cpp/${target} with \`npm install --no-save --force @node-llama-cpp/${target}\`.`);
  process.exit(1);
}

execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs"), "--production"], { stdio: "inherit", cwd: root });

const ignoreFile = path.join(mkdtempSync(path.join(os.tmpdir(), "clade-vsix-")), ".vscodeignore");
const dropped = installed.filter((name) => !keep(name)).map((name) => `node_modules/@node-llama-cpp/${name}/**`);
writeFileSync(ignoreFile, `${readFileSync(path.join(root, ".vscodeignore"), "utf8")}\n${dropped.join("\n")}\n`);

const out = path.join(root, `${manifest.name}-${target}-${manifest.version}.vsix`);
// Relative links in README.md (e.g. ARCHITECTURE.md) resolve against the repository URL.
const base = String(manifest.repository?.url ?? "https://example.invalid/clade").replace(/\.git$/, "");
const common = ["--ignoreFile", ignoreFile, "--no-update-package-json", "--allow-missing-repository", "--baseContentUrl", `${base}/blob/main`, "--baseImagesUrl", `${base}/raw/main`];
execFileSync(vsce, ["package", "--target", target, "--out", out, ...common], { stdio: "inherit", cwd: root });

const files = execFileSync(vsce, ["ls", "--ignoreFile", ignoreFile], { cwd: root, encoding: "utf8" }).trim().split("\n");
const bytes = files.reduce((sum, file) => sum + (existsSync(path.join(root, file)) ? statSync(path.join(root, file)).size : 0), 0);
console.log(`package: ${out}\n  binaries: ${kept.join(", ")}\n  vsce ls: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB unpacked`);
