// Verification results of mined commits, kept on disk so listing a repo suite twice does not
// re-run its tests. Keyed by commit, test command and the mining rules' version.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";

/** Bump when the mining rules change, so old verdicts are not reused. */
const miningVersion = 1;

export type Verdict =
  | { status: "task"; hidden: string[]; startTests: string[]; failToPass: string[] }
  | { status: "rejected"; reason: string };

export interface MiningCache {
  get(sha: string): Verdict | undefined;
  set(sha: string, verdict: Verdict): void;
  save(): Promise<void>;
}

export async function openMiningCache(cacheDir: string | undefined, repo: string, testCommand: string): Promise<MiningCache> {
  const salt = `${miningVersion}\0${testCommand}`;
  const key = (sha: string): string => createHash("sha256").update(`${salt}\0${sha}`).digest("hex").slice(0, 24);
  const file = cacheDir ? path.join(cacheDir, `mined-${createHash("sha256").update(path.resolve(repo)).digest("hex").slice(0, 16)}.json`) : undefined;
  let entries: Record<string, Verdict> = {};
  if (file) {
    try {
      entries = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, Verdict>;
    } catch {
      entries = {}; // missing or unreadable: start over
    }
  }
  let dirty = false;
  return {
    get: (sha) => entries[key(sha)],
    set(sha, verdict) {
      entries[key(sha)] = verdict;
      dirty = true;
    },
    async save() {
      if (!file || !dirty) return;
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(entries));
      await fs.rename(tmp, file);
      dirty = false;
    },
  };
}
