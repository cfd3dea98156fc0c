// Runs an agent version's own unit tests (its test/*.test.ts, written with node:test): bundled with
// esbuild, run with `node --test` in a sandboxed process group. Part of the validation gate.
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import { runCommand } from "./sandbox/runCommand";

export interface ScaffoldTestResult {
  passed: boolean;
  /** Test files found (none counts as a failure: a version must keep its tests). */
  files: number;
  output: string;
  durationMs: number;
}

export async function runScaffoldTests(scaffoldDir: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ScaffoldTestResult> {
  const started = Date.now();
  const testDir = path.join(scaffoldDir, "test");
  const files = (await fs.readdir(testDir).catch(() => [] as string[])).filter((name) => /\.test\.ts$/.test(name));
  if (!files.length) return { passed: false, files: 0, output: `No unit tests in ${testDir} (a version must keep its test/*.test.ts).`, durationMs: Date.now() - started };
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), "clade-scaffold-tests-"));
  try {
    try {
      await esbuild.build({ entryPoints: files.map((f) => path.join(testDir, f)), outdir: outDir, bundle: true, platform: "node", format: "esm", target: "node20", outExtension: { ".js": ".mjs" }, logLevel: "silent" });
    } catch (error) {
      const failure = error as esbuild.BuildFailure;
      const text = failure.errors ? (await esbuild.formatMessages(failure.errors, { kind: "error" })).join("\n") : String(error);
      return { passed: false, files: files.length, output: `The unit tests do not build:\n${text}`, durationMs: Date.now() - started };
    }
    await Promise.all([fs.mkdir(path.join(outDir, "home")), fs.mkdir(path.join(outDir, "tmp"))]);
    const bundles = (await fs.readdir(outDir)).filter((f) => f.endsWith(".mjs")).map((f) => JSON.stringify(path.join(outDir, f)));
    const result = await runCommand({
      cwd: outDir,
      command: `${JSON.stringify(process.execPath)} --test ${bundles.join(" ")}`,
      // HOME and TMPDIR inside the folder removed below: whatever a version's tests leave behind goes with it.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ELECTRON_RUN_AS_NODE: "1", HOME: path.join(outDir, "home"), TMPDIR: path.join(outDir, "tmp") },
      timeoutMs: options.timeoutMs ?? 60_000,
      maxOutputBytes: 64 * 1024,
      truncate: "head-and-tail",
      signal: options.signal,
    });
    return { passed: result.exitCode === 0 && !result.timedOut, files: files.length, output: result.output, durationMs: Date.now() - started };
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
}
