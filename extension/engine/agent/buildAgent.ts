// Builds one agent version (a scaffold folder: src/index.ts exporting runAgent) into a single ESM
// bundle. Type errors and build errors are a validation failure with the compiler's messages, never
// a crash. Builds are cached by the scaffold's content hash.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as esbuild from "esbuild";

export type AgentBuild =
  | { ok: true; bundle: string; hash: string; cached: boolean; ms: number }
  | { ok: false; stage: "missing-entry" | "typecheck" | "build"; message: string; hash: string };

export interface BuildAgentOptions {
  /** Where bundles are kept, one folder per content hash. */
  cacheDir: string;
  /** Run `tsc --noEmit` first (default true). */
  typecheck?: boolean;
  signal?: AbortSignal;
}

const require = createRequire(import.meta.url);

export async function buildAgent(scaffoldDir: string, options: BuildAgentOptions): Promise<AgentBuild> {
  const started = Date.now();
  const hash = await hashScaffold(scaffoldDir);
  const entry = path.join(scaffoldDir, "src", "index.ts");
  if (!existsSync(entry)) return { ok: false, stage: "missing-entry", hash, message: `The agent version has no src/index.ts (looked in ${scaffoldDir}).` };
  const bundle = path.join(options.cacheDir, hash, "agent.mjs");
  if (existsSync(bundle)) return { ok: true, bundle, hash, cached: true, ms: Date.now() - started };

  if (options.typecheck !== false) {
    const problems = await typecheck(scaffoldDir, options.signal);
    if (problems) return { ok: false, stage: "typecheck", hash, message: problems };
  }
  const staging = `${bundle}.${process.pid}.tmp`;
  try {
    await esbuild.build({ entryPoints: [entry], outfile: staging, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent", sourcemap: "inline" });
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const text = failure.errors ? (await esbuild.formatMessages(failure.errors, { kind: "error" })).join("\n") : String(error);
    return { ok: false, stage: "build", hash, message: text.trim() };
  }
  await fs.rename(staging, bundle); // atomic: a crash never leaves a half-written bundle under the final name
  return { ok: true, bundle, hash, cached: false, ms: Date.now() - started };
}

/** Content hash of every file in the scaffold except dependencies and VCS data. */
export async function hashScaffold(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const visit = async (rel: string): Promise<void> => {
    const entries = (await fs.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name === "node_modules" || entry.name === ".git") continue;
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) await visit(child);
      else if (entry.isFile()) hash.update(child).update("\0").update(await fs.readFile(path.join(dir, child))).update("\0");
    }
  };
  await visit("");
  return hash.digest("hex").slice(0, 16);
}

/** Runs the TypeScript compiler on the scaffold; returns its messages, or undefined when clean. */
function typecheck(scaffoldDir: string, signal?: AbortSignal): Promise<string | undefined> {
  const tsc = require.resolve("typescript/bin/tsc");
  const typeRoots = path.dirname(path.dirname(require.resolve("@types/node/package.json")));
  const args = [tsc, "--noEmit", "--pretty", "false", "-p", path.join(scaffoldDir, "tsconfig.json"), "--typeRoots", typeRoots];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: scaffoldDir, stdio: ["ignore", "pipe", "pipe"], signal });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve(code === 0 ? undefined : output.trim().slice(0, 8000) || `tsc exited with code ${code}`));
  });
}
