// Temporary folders left behind by an engine that was killed (SIGKILL, a crash, power loss): every
// run, expansion and evaluation works in a `clade-*` folder under the OS temp folder and removes it
// when it ends, but a process that is killed cannot. The engine sweeps them at start-up: `clade-*`
// folders (and sandboxes) in which nothing changed for a day. Caches that are meant to stay (built
// agent versions, task start states, benchmark models, the Jest shim) are left alone.
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

const KEEP = [/^clade-agent-builds$/, /^clade-task-start$/, /^clade-bench-models$/, /^clade-jest-shim-/, /^clade-sandboxes$/];
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SweepOptions {
  /** Default: the OS temp folder. */
  dir?: string;
  /** Default: one day. */
  olderThanMs?: number;
  now?: number;
}

/** The newest modification time of a folder and its direct entries (a folder in use has fresh entries). */
async function lastChange(folder: string): Promise<number> {
  let newest = (await fs.lstat(folder)).mtimeMs;
  for (const name of await fs.readdir(folder).catch(() => [] as string[])) {
    const info = await fs.lstat(path.join(folder, name)).catch(() => undefined);
    if (info && info.mtimeMs > newest) newest = info.mtimeMs;
  }
  return newest;
}

async function sweepIn(dir: string, match: (name: string) => boolean, cutoff: number, removed: string[]): Promise<void> {
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!match(name)) continue;
    const full = path.join(dir, name);
    try {
      const info = await fs.lstat(full);
      if (!info.isDirectory() || (await lastChange(full)) > cutoff) continue;
      await fs.rm(full, { recursive: true, force: true, maxRetries: 2 });
      removed.push(full);
    } catch {
      // in use, gone meanwhile, or not ours to remove: leave it
    }
  }
}

export async function sweepStaleScratch(options: SweepOptions = {}): Promise<{ removed: string[] }> {
  const dir = options.dir ?? os.tmpdir();
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? DAY_MS);
  const removed: string[] = [];
  await sweepIn(dir, (name) => name.startsWith("clade-") && !KEEP.some((re) => re.test(name)), cutoff, removed);
  await sweepIn(path.join(dir, "clade-sandboxes"), () => true, cutoff, removed);
  return { removed };
}
