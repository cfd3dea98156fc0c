// `.clade/asks.jsonl`: every ask of the workspace, one record a line, appended and fsync'd (a crash
// loses at most the line being written; a torn last line is skipped on read, as the archive log's
// reader does), and the lock that keeps one ask at a time per workspace.
import { closeSync, existsSync, mkdirSync, openSync, promises as fs, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import type { AskRecord, AskResolution, AskSummary, UserTaskScore } from "../../protocol/ask";
import { CladeError } from "../../protocol/errors";

export function asksPaths(workspace: string): { dir: string; log: string; lock: string; askDir: (id: string) => string } {
  const clade = path.join(path.resolve(workspace), ".clade");
  return { dir: path.join(clade, "asks"), log: path.join(clade, "asks.jsonl"), lock: path.join(clade, "ask.lock"), askDir: (id) => path.join(clade, "asks", id) };
}

type NewRecord = AskRecord extends infer R ? (R extends AskRecord ? Omit<R, "v" | "at"> : never) : never;

export async function appendAskRecord(workspace: string, record: NewRecord): Promise<void> {
  const { log } = asksPaths(workspace);
  await fs.mkdir(path.dirname(log), { recursive: true });
  const handle = await fs.open(log, "a");
  try {
    await handle.write(`${JSON.stringify({ v: 1, at: new Date().toISOString(), ...record })}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export async function readAskRecords(workspace: string): Promise<AskRecord[]> {
  const { log } = asksPaths(workspace);
  if (!existsSync(log)) return [];
  const records: AskRecord[] = [];
  for (const line of (await fs.readFile(log, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as AskRecord;
      if (record && typeof record === "object" && typeof record.askId === "string") records.push(record);
    } catch {
      // a torn line (crash mid-write): skipped
    }
  }
  return records;
}

export async function askSummaries(workspace: string): Promise<AskSummary[]> {
  const byId = new Map<string, AskSummary>();
  for (const r of await readAskRecords(workspace)) {
    if (r.type === "ask") {
      byId.set(r.askId, {
        askId: r.askId, at: r.at, versionId: r.versionId, instruction: r.instruction, testCommand: r.testCommand, outcome: r.outcome, resolution: null,
        testsBefore: r.testsBefore, testsAfter: r.testsAfter, changedFiles: r.changedFiles, tokens: r.tokens, wallMs: r.wallMs, trajectory: r.trajectory, savedAs: null,
      });
    } else if (r.type === "ask-resolved") {
      const s = byId.get(r.askId);
      if (s) s.resolution = r.resolution;
    } else if (r.type === "ask-saved") {
      const s = byId.get(r.askId);
      if (s) s.savedAs = r.taskId;
    }
  }
  return [...byId.values()];
}

export async function findAsk(workspace: string, askId: string): Promise<AskSummary> {
  const all = await askSummaries(workspace);
  const found = all.find((a) => a.askId === askId);
  if (!found) {
    throw new CladeError("invalid-argument", `There is no ask "${askId}" in ${path.resolve(workspace)}.`, all.length ? `Known asks: ${all.slice(-8).map((a) => a.askId).join(", ")} (\`clade asks list\`).` : "Ask the agent first (`clade ask \"…\"`).");
  }
  return found;
}

/** Each version's score on the user's own requests. */
export function userTaskScores(asks: readonly AskSummary[]): Map<string, UserTaskScore> {
  const scores = new Map<string, UserTaskScore>();
  for (const ask of asks) {
    const s = scores.get(ask.versionId) ?? { asks: 0, applied: 0, appliedPassing: 0 };
    s.asks++;
    if (ask.resolution === "applied") {
      s.applied++;
      if (ask.testsAfter === true) s.appliedPassing++;
    }
    scores.set(ask.versionId, s);
  }
  return scores;
}

export function checkResolvable(ask: AskSummary, resolution: AskResolution): void {
  if (ask.outcome !== "proposed") throw new CladeError("invalid-argument", `Ask ${ask.askId} has no change to ${resolution === "applied" ? "apply" : "discard"} (${ask.outcome}).`, "Ask again with another instruction or version.");
  if (ask.resolution) throw new CladeError("invalid-argument", `Ask ${ask.askId} was already ${ask.resolution}.`, "Nothing to do; `clade asks list` shows each ask's state.");
}

/**
 * One ask at a time per workspace, across processes: `.clade/ask.lock` holds the owner's pid; a
 * lock whose process is gone is taken over.
 */
export function takeAskLock(workspace: string): { release: () => void } {
  const { lock } = asksPaths(workspace);
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          void fs.rm(lock, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readQuietly(lock), 10);
      if (Number.isSafeInteger(owner) && owner > 0 && alive(owner)) {
        throw new CladeError("archive-locked", `An ask is already running in ${path.resolve(workspace)} (process ${owner}).`, "Wait for it to finish or stop it; one ask runs at a time per workspace.");
      }
      try {
        rmSync(lock, { force: true });
      } catch {
        // raced with another taker: the next attempt decides
      }
    }
  }
  throw new CladeError("archive-locked", `The ask lock ${lock} could not be taken.`, "Remove it if no ask is running.");
}

function readQuietly(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
