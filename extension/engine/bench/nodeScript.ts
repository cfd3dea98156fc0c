// Runs a bench's reference measurement as a bare Node process: the script is written to a temporary
// file (not `node -e`: node-llama-cpp tests its binding in a child that inherits execArgv), its one
// argument is a JSON file of inputs, and its stdout is the result. Used where a measurement must be
// the process's own (memory) or free of the engine's code.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** node-llama-cpp's entry as a file URL, resolved from `cwd` (the install root), for the script to import. */
export function nodeLlamaCppUrl(cwd: string): string {
  return pathToFileURL(createRequire(path.join(cwd, "package.json")).resolve("node-llama-cpp")).href;
}

/** Runs `source` with `input` (JSON) as its argument file; resolves with its stdout, rejects with its stderr's tail. */
export async function runNodeScript(what: string, source: string, input: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clade-bench-script-"));
  try {
    const file = path.join(dir, "script.mjs");
    const inputFile = path.join(dir, "input.json");
    await writeFile(file, source);
    await writeFile(inputFile, JSON.stringify(input));
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [file, inputFile], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      child.stderr.on("data", (chunk) => (err = (err + chunk).slice(-2000)));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`The ${what} process failed (exit code ${code}): ${err.trim()}`))));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
