// A set of files to write into a task directory: each entry names its path inside the task and
// where its bytes come from (a file on disk, or inline text). Builtin, polyglot and yaml tasks are
// all lists of entries; the repo suite writes git trees instead (see gitTree.ts).
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { CladeError } from "../../protocol/errors";

export interface FileEntry {
  /** Path inside the task directory, with forward slashes. */
  path: string;
  /** Absolute path of the file to copy. */
  file?: string;
  /** Inline content (used when `file` and `link` are absent). */
  text?: string;
  /** Make a symbolic link to this absolute path instead of a file (e.g. a shared node_modules). */
  link?: string;
}

export interface ListDirOptions {
  /** Relative paths (forward slashes) to leave out; a directory excludes everything below it. */
  exclude?: (relPath: string, isDir: boolean) => boolean;
}

/** Every regular file under `root` as entries, sorted by path. Symlinks are skipped. */
export async function listDirEntries(root: string, options: ListDirOptions = {}): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const dirents = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const d of dirents) {
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (!options.exclude?.(childRel, true)) await walk(childRel);
      } else if (d.isFile() && !options.exclude?.(childRel, false)) {
        out.push({ path: childRel, file: path.join(root, childRel) });
      }
    }
  }
  await walk("");
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Resolves `rel` inside `dir`, refusing absolute paths and anything that climbs out. */
export function resolveInside(dir: string, rel: string): string {
  const normalized = rel.replace(/\\/g, "/");
  const target = path.resolve(dir, normalized);
  const base = path.resolve(dir);
  if (path.isAbsolute(normalized) || (target !== base && !target.startsWith(base + path.sep))) {
    throw new CladeError("invalid-tasks", `The task file path "${rel}" points outside the task directory.`, "Use a relative path without \"..\" for task files.");
  }
  return target;
}

export async function readEntry(entry: FileEntry): Promise<Buffer> {
  if (entry.link !== undefined) return Buffer.from(`link:${entry.link}`, "utf8");
  if (entry.file !== undefined) return fs.readFile(entry.file);
  return Buffer.from(entry.text ?? "", "utf8");
}

/**
 * The path of `rel` inside `dir`, made ready to be written: every folder on the way is a real
 * folder (a symlink or file the agent left there is replaced: hidden tests written where an agent
 * worked must not follow its links out of the folder), and whatever was at the path is removed.
 */
export async function prepareWrite(dir: string, rel: string): Promise<string> {
  const target = resolveInside(dir, rel);
  const base = path.resolve(dir);
  let current = base;
  for (const part of path.relative(base, path.dirname(target)).split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const info = await fs.lstat(current).catch(() => undefined);
    if (info?.isDirectory()) continue;
    if (info) await fs.rm(current, { force: true, recursive: true });
    await fs.mkdir(current);
  }
  // Remove first so a symlink the agent left at this path is replaced, not written through.
  await fs.rm(target, { force: true, recursive: true });
  return target;
}

/** Writes the entries into `dir` (creating folders), replacing files already at those paths. */
export async function writeEntries(entries: readonly FileEntry[], dir: string, transform?: (entry: FileEntry, content: Buffer) => Buffer): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const entry of entries) {
    const target = await prepareWrite(dir, entry.path);
    if (entry.link !== undefined) {
      await fs.symlink(entry.link, target, process.platform === "win32" ? "junction" : undefined);
      continue;
    }
    const content = await readEntry(entry);
    await fs.writeFile(target, transform ? transform(entry, content) : content);
  }
}

/** sha256 over the entries' paths and contents, in path order. */
export async function hashEntries(entries: readonly FileEntry[]): Promise<string> {
  const hash = createHash("sha256");
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) {
    const content = await readEntry(entry);
    hash.update(`${entry.path}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest("hex");
}
