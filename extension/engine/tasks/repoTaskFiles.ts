// TaskFiles for a task mined from git history: the start is the parent's tree (plus the commit's
// version of test files that are not hidden), the hidden tests are the commit's version of the
// fail-to-pass test files, and the reference applies the rest of the commit.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { resolveInside } from "./fileEntries";
import { linkNodeModules, writeBlob, writeCommitTree } from "./gitTree";
import type { MinedTask } from "./repoMining";
import type { TaskFiles } from "./types";

export function repoTaskFiles(repo: string, mined: MinedTask, testCommand: string): TaskFiles {
  const sha = mined.commit.sha;
  const hidden = new Set(mined.hidden);
  return {
    async writeStart(dir) {
      await writeCommitTree(repo, mined.parent, dir);
      for (const file of mined.startTests) await writeBlob(repo, sha, file, dir);
      await linkNodeModules(repo, dir);
    },
    async writeHiddenTests(dir) {
      for (const file of mined.hidden) await writeBlob(repo, sha, file, dir);
    },
    async writeReference(dir) {
      for (const change of mined.changes) {
        if (hidden.has(change.path)) continue;
        if (change.status === "D") await fs.rm(resolveInside(dir, change.path), { force: true, recursive: true });
        else await writeBlob(repo, sha, change.path, dir);
      }
    },
    contentHash: async () =>
      createHash("sha256")
        .update([sha, mined.parent, testCommand, mined.hidden.join(","), mined.startTests.join(",")].join("\n"))
        .digest("hex"),
  };
}
