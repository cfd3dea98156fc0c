// Writes the Jest-compatibility shim to a content-addressed folder under the OS temp directory and
// returns the `node` arguments that load it. Idempotent and safe when several processes race.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { jestHooksSource, jestRegisterSource } from "./jestShimSource";

let cached: string | undefined;

/** Absolute path of the shim's register.mjs (for `node --import`). */
export function ensureJestShim(): string {
  const hash = createHash("sha256").update(jestRegisterSource).update(jestHooksSource).digest("hex").slice(0, 12);
  const dir = path.join(os.tmpdir(), `clade-jest-shim-${hash}`);
  const register = path.join(dir, "register.mjs");
  if (cached === register && existsSync(register)) return register;
  mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, "hooks.mjs"), jestHooksSource);
  writeAtomic(register, jestRegisterSource);
  cached = register;
  return register;
}

function writeAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** `node --import <shim> --test <files>`: runs Jest-style test files without Jest. */
export function jestShimCommand(testFiles: readonly string[]): string {
  const shimUrl = pathToFileURL(ensureJestShim()).href;
  return `node --import ${shellQuote(shimUrl)} --test ${testFiles.map(shellQuote).join(" ")}`;
}

/**
 * The command with the shim's machine-specific location replaced by its content hash, so task
 * content hashes (and the task-set hash) are the same on every machine.
 */
export function portableCommand(command: string): string {
  return command.replace(/'?file:\/\/\S*?clade-jest-shim-([0-9a-f]+)\/register\.mjs'?/g, "jest-shim-$1");
}

/** Quotes an argument for the shell that runs test commands (POSIX sh or cmd.exe). */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  if (process.platform === "win32") return `"${arg.replace(/"/g, '""')}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
