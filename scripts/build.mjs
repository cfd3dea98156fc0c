// Builds Clade's bundles with esbuild. Type checking is a separate step (`npm run typecheck`).
//   dist/extension.js  VS Code extension host (CommonJS; `vscode` external)
//   dist/engine.mjs    engine process (ESM; `node-llama-cpp` external, loaded only here)
//   dist/cli.mjs       the `clade` CLI (ESM)
//   dist/webview.js    archive graph webview (browser IIFE)
import * as esbuild from "esbuild";

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
  { ...common, entryPoints: ["extension/engine/rpc/engineMain.ts"], outfile: "dist/engine.mjs", platform: "node", format: "esm", target: "node20", banner: esmRequireBanner },
  { ...common, entryPoints: ["extension/engine/cli/main.ts"], outfile: "dist/cli.mjs", platform: "node", format: "esm", target: "node20", banner: esmRequireBanner },
  { ...common, entryPoints: ["extension/engine/agent/harness/harnessMain.ts"], outfile: "dist/agentHarness.mjs", platform: "node", format: "esm", target: "node20" },
  { ...common, entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2022" },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log("esbuild: watching");
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`esbuild: built ${builds.length} bundles in ${Date.now() - started} ms`);
}
