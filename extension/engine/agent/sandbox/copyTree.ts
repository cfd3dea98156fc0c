// Copies a task's starting files into a sandbox: real copies (copy-on-write clones where the file
// system can, never hard links, so writing the copy cannot change the source), symlinks kept as
// symlinks — an absolute one that points into the source is rewritten to point at the same place
// in the copy. FIFOs, sockets and devices are skipped.
import { constants, type Dirent } from "node:fs";
import { copyFile, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import path from "node:path";

export interface CopyStats {
  files: number;
  directories: number;
  symlinks: number;
  skipped: number;
}

/** At most this many file operations in flight (large trees must not run out of descriptors). */
const CONCURRENCY = 32;

class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= CONCURRENCY) await new Promise<void>((wake) => this.waiting.push(wake));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

interface CopyContext {
  sourceRoot: string;
  destRoot: string;
  stats: CopyStats;
  limiter: Limiter;
}

async function copyLink(context: CopyContext, from: string, to: string): Promise<void> {
  let target = await readlink(from);
  const relative = path.isAbsolute(target) ? path.relative(context.sourceRoot, target) : undefined;
  const insideSource = relative !== undefined && relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
  if (insideSource) {
    target = path.relative(path.dirname(to), path.join(context.destRoot, relative!)) || ".";
  }
  await symlink(target, to);
  context.stats.symlinks++;
}

async function copyEntry(context: CopyContext, entry: Dirent, fromDir: string, toDir: string): Promise<void> {
  const from = path.join(fromDir, entry.name);
  const to = path.join(toDir, entry.name);
  if (entry.isDirectory()) return copyDirectory(context, from, to);
  if (entry.isSymbolicLink()) return context.limiter.run(() => copyLink(context, from, to));
  if (entry.isFile()) {
    await context.limiter.run(() => copyFile(from, to, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL));
    context.stats.files++;
    return;
  }
  context.stats.skipped++;
}

async function copyDirectory(context: CopyContext, from: string, to: string, exists = false): Promise<void> {
  if (!exists) await mkdir(to);
  context.stats.directories++;
  const entries = await context.limiter.run(() => readdir(from, { withFileTypes: true }));
  await Promise.all(entries.map((entry) => copyEntry(context, entry, from, to)));
}

/** Copies the directory `source` to `dest` (which must not exist yet). */
export async function copyTree(source: string, dest: string, options: { destExists?: boolean } = {}): Promise<CopyStats> {
  const stats: CopyStats = { files: 0, directories: 0, symlinks: 0, skipped: 0 };
  if (options.destExists && (await readdir(dest)).length > 0) throw new Error(`copyTree: ${dest} is not empty`);
  await copyDirectory({ sourceRoot: source, destRoot: dest, stats, limiter: new Limiter() }, source, dest, options.destExists);
  return stats;
}
