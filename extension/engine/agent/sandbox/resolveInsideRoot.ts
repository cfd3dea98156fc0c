// Resolves a path the agent gave to a real path inside the sandbox root, the way the kernel would
// (component by component, following symlinks, `..` after a symlink applying to its target), and
// refuses anything that leaves the root at any step: `..` above it, absolute paths elsewhere,
// symlinks pointing out (at the end or in the middle of the path, dangling or not), new files whose
// parent is such a symlink, and (for writes) files hard-linked from elsewhere.
import { lstat, readlink } from "node:fs/promises";
import path from "node:path";
import { CladeError } from "../../../protocol/errors";

export type AccessMode = "read" | "write";

export interface RootSpec {
  /** The root's real path (no symlinks in it). */
  real: string;
  /** Other spellings of the root that absolute paths may use (e.g. before realpath: /tmp vs /private/tmp). */
  aliases: string[];
}

const MAX_SYMLINKS = 40; // as Linux

function violation(input: string, why: string, root: string): CladeError {
  return new CladeError(
    "sandbox-violation",
    `Path "${input}" is not allowed: ${why}.`,
    "Use a path inside the task folder (relative paths start at its root); symlinks that lead out of it cannot be followed.",
    { path: input, root },
  );
}

const SEPARATORS = process.platform === "win32" ? /[\\/]+/ : /\/+/;

function components(p: string): string[] {
  return p.split(SEPARATORS).filter((part) => part !== "" && part !== ".");
}

/** Root-relative components of an absolute path, or undefined if it does not start at the root. */
function relativeToRoot(absolute: string, root: RootSpec): string[] | undefined {
  const parts = components(absolute);
  for (const base of [root.real, ...root.aliases]) {
    const baseParts = components(base);
    if (baseParts.length <= parts.length && baseParts.every((part, index) => parts[index] === part)) return parts.slice(baseParts.length);
  }
  return undefined;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** A symlink's target as components, root-relative when absolute; refuses targets outside the root. */
async function linkTarget(root: RootSpec, input: string, link: string): Promise<{ absolute: boolean; parts: string[] }> {
  const target = await readlink(link);
  if (!path.isAbsolute(target)) return { absolute: false, parts: components(target) };
  const inside = relativeToRoot(target, root);
  if (!inside) throw violation(input, `the symlink ${path.relative(root.real, link)} points outside the sandbox (${target})`, root.real);
  return { absolute: true, parts: inside };
}

export async function resolveInsideRoot(root: RootSpec, input: string, mode: AccessMode): Promise<string> {
  if (typeof input !== "string" || input.length === 0 || input.includes("\0")) {
    throw new CladeError("invalid-argument", `Invalid path ${JSON.stringify(input)}.`, "Pass a non-empty file path without NUL characters.");
  }
  const rootInfo = await lstat(root.real).catch(() => undefined);
  if (!rootInfo?.isDirectory()) throw violation(input, "the sandbox root is gone or was replaced", root.real);
  const start = path.isAbsolute(input) ? relativeToRoot(input, root) : components(input);
  if (!start) throw violation(input, "it is an absolute path outside the sandbox", root.real);

  const queue = [...start];
  let current = root.real;
  let links = 0;
  let missing = false; // once a component does not exist, the rest is plain names
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === "..") {
      if (current === root.real) throw violation(input, "it goes above the sandbox root", root.real);
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    if (missing) {
      current = next;
      continue;
    }
    const info = await lstat(next).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (!info) {
      missing = true;
      current = next;
      continue;
    }
    if (!info.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (++links > MAX_SYMLINKS) throw violation(input, "too many levels of symbolic links", root.real);
    const target = await linkTarget(root, input, next);
    if (target.absolute) current = root.real; // else: relative to the folder holding the link
    queue.unshift(...target.parts);
  }
  if (mode === "write") await refuseHardLinked(input, current, root.real);
  return current;
}

/** A regular file with several links may be the same inode as a file outside the root. */
async function refuseHardLinked(input: string, resolved: string, root: string): Promise<void> {
  const info = await lstat(resolved).catch(() => undefined);
  if (info?.isFile() && info.nlink > 1) throw violation(input, "the file is hard-linked (it may be shared with a file outside the sandbox)", root);
}
