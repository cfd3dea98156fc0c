// Disk full under an archive: the workspace is a 1 MiB tmpfs (mounted when this runs as root;
// otherwise the case fails and says so). The archive fills the disk with events until a write
// fails: the error must name the problem, and after space is freed the archive reopens with every
// acknowledged event and no problem.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Archive } from "../../extension/engine/archive/archive";
import { userMessage, type SuiteReport } from "./suiteReport";

const sessionConfig = { suite: "builtin", taskSetHash: "t", taskIds: ["a"], modelHash: "m", strategy: "dgm" as const, seed: 1, budgets: { evaluations: 10, parallel: 1 } };

export async function diskFullCase(report: SuiteReport, work: string): Promise<void> {
  await report.attempt("disk full (1 MiB tmpfs workspace): clear error, nothing corrupted", async () => {
    const mount = mkdtempSync(path.join(work, "tmpfs-"));
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mount], { encoding: "utf8" });
    if (mounted.status !== 0) return { ok: false, detail: `could not mount a tmpfs (needs root): ${mounted.stderr.trim()}` };
    try {
      const ws = path.join(mount, "ws");
      mkdirSync(ws);
      const archive = await Archive.open(ws, { create: true });
      let acknowledged = 0;
      let acknowledgedWall = 0;
      let error: unknown = null;
      try {
        await archive.startSession(sessionConfig);
        // Leave a little room, then fill it with events.
        try {
          writeFileSync(path.join(mount, "filler"), Buffer.alloc(1024 * 1024));
        } catch {
          // the filler takes what it can: ENOSPC is expected
        }
        for (let i = 0; i < 100_000 && !error; i++) {
          await archive.recordSpend("other", null, { tokens: { promptTokens: i, cachedPromptTokens: 0, completionTokens: 0 }, wallMs: i }).then(() => ((acknowledged += 1), (acknowledgedWall += i)), (e: unknown) => (error = e));
        }
        // A second write after the failure must fail cleanly too, not half-write.
        await archive.recordSpend("other", null, { tokens: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 0 }, wallMs: 1 }).then(() => ((acknowledged += 1), (acknowledgedWall += 1)), () => undefined);
      } finally {
        await archive.dispose();
      }
      rmSync(path.join(mount, "filler"), { force: true });
      const reopened = await Archive.open(ws);
      try {
        const problems = await reopened.check();
        const wall = reopened.usage().wallMs;
        const message = userMessage(error);
        const ok = error !== null && (error as { reason?: string }).reason === "disk-full" && /disk is full/i.test(message) && problems.length === 0 && wall === acknowledgedWall;
        return { ok, detail: `${acknowledged} events acknowledged before the disk was full; the user sees: ${message}; after freeing space the archive reopens with ${problems.length} problem(s) and exactly the acknowledged events (recorded wall ${wall} = acknowledged ${acknowledgedWall})` };
      } finally {
        await reopened.dispose();
      }
    } finally {
      spawnSync("umount", ["-l", mount]);
    }
  });
}
