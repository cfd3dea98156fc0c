// Builds Clade's bundles with esbuild. Type checking is a separate step (`npm run typecheck`).
//   dist/extension.js  VS Code extension host (CommonJS; `vscode` external)
//   dist/engine.mjs    engine process (ESM; `node-llama-cpp` external, loaded only here)
//   dist/cli.mjs       the `clade` CLI (ESM)
//   dist/webview.js    archive graph webview (browser IIFE)
import * as esbuild from "esbuild";
import { readdirSync, readFileSync, rmSync } from "node:fs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

// CommonJS dependencies bundled into an ESM file still call require() for Node built-ins.
const esmRequireBanner = {
  js: "import {createRequire as __cladeCreateRequire} from 'node:module'; const require = __cladeCreateRequire(import.meta.url);",
};

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
  // Not bundled: the VS Code API, node-llama-cpp (finds its native binaries itself), and the build
  // tools the engine runs on agent versions at run time.
  external: ["vscode", "node-llama-cpp", "esbuild", "typescript"],
};

const builds = [
  { ...common, entryPoints: ["extension/vscode/extension.ts"], outfile: "dist/extension.js", platform: "node", format: "cjs", target: "node20" },
  // The engine's source text stays in its heap for the process lifetime: without comments and
  // indentation it is ~40% smaller, and ASCII-only (a comment's "→" made V8 keep the whole 1.7 MB
  // source as a two-byte string, 3.3 MiB). Names are kept, so stack traces still read.
  { ...common, entryPoints: ["extension/engine/rpc/engineMain.ts"], outdir: "dist", entryNames: "engine", chunkNames: "engine-chunks/[name]-[hash]", splitting: true, platform: "node", format: "esm", target: "node20", outExtension: { ".js": ".mjs" }, banner: esmRequireBanner, minifyWhitespace: true, minifySyntax: true, charset: "ascii" },
  { ...common, entryPoints: ["extension/engine/cli/main.ts"], outfile: "dist/cli.mjs", platform: "node", format: "esm", target: "node20", banner: esmRequireBanner },
  { ...common, entryPoints: ["extension/engine/agent/harness/harnessMain.ts"], outfile: "dist/agentHarness.mjs", platform: "node", format: "esm", target: "node20" },
  { ...common, entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2022" },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log("esbuild: watching");
} else {
  const started = Date.now();
  rmSync("dist/engine-chunks", { recursive: true, force: true }); // chunk names change with their content
  await Promise.all(builds.map((options) => esbuild.build(options)));
  // A single non-ASCII character (esbuild keeps them in regular-expression literals) makes V8 hold
  // a script's whole source as UTF-16, twice the memory, for the engine's lifetime.
  const engineFiles = ["dist/engine.mjs", ...readdirSync("dist/engine-chunks").filter((f) => f.endsWith(".mjs")).map((f) => `dist/engine-chunks/${f}`)];
  for (const file of engineFiles) {
    const at = readFileSync(file).findIndex((byte) => byte > 127);
    if (at >= 0) throw new Error(`${file} has a non-ASCII character at byte ${at}: write it as a \\u escape in the source (see the engine build's note above).`);
  }
  console.log(`esbuild: built ${builds.length} bundles in ${Date.now() - started} ms`);
}
