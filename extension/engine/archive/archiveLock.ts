// One writer per archive: `.clade/archive.lock` holds the writing process's pid. A lock left by a
// process that no longer runs (a crash, SIGKILL) is taken over.
import { promises as fs } from "node:fs";
import os from "node:os";
import { CladeError } from "../../protocol/errors";

interface LockInfo {
  pid: number;
  host: string;
  at: string;
}

export class ArchiveLock {
  private released = false;

  private constructor(private readonly file: string) {}

  static async acquire(file: string): Promise<ArchiveLock> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const info: LockInfo = { pid: process.pid, host: os.hostname(), at: new Date().toISOString() };
      try {
        await fs.writeFile(file, JSON.stringify(info), { flag: "wx" });
        return new ArchiveLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = await readLock(file);
      if (holder && holderAlive(holder)) {
        const who = holder.pid === process.pid && holder.host === os.hostname() ? "this process (an Archive that was not disposed)" : `another Clade process (pid ${holder.pid} on ${holder.host})`;
        throw new CladeError(
          "archive-locked",
          `The archive is in use by ${who}, since ${holder.at}.`,
          "Wait for that session to finish or stop it; read-only commands (status, show, diff) still work.",
          { lockFile: file, pid: holder.pid },
        );
      }
      await fs.rm(file, { force: true }); // stale: its process is gone
    }
    throw new CladeError("archive-locked", `Could not take the archive lock ${file}.`, "Another process keeps taking it; stop other Clade processes on this workspace.");
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const holder = await readLock(this.file);
    if (holder?.pid === process.pid) await fs.rm(this.file, { force: true });
  }
}

async function readLock(file: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await fs.readFile(file, "utf8")) as Partial<LockInfo>;
    return typeof info.pid === "number" ? { pid: info.pid, host: String(info.host ?? ""), at: String(info.at ?? "") } : null;
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

function holderAlive(holder: LockInfo): boolean {
  if (holder.host !== os.hostname()) return true; // cannot tell: assume it runs
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
