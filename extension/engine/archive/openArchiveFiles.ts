// Opening an archive's files: create them when asked, take the writer lock, read and replay the log.
import { existsSync, promises as fs } from "node:fs";
import { CladeError } from "../../protocol/errors";
import { AgentsRepo } from "./agentsRepo";
import { ArchiveLock } from "./archiveLock";
import type { ArchivePaths } from "./archivePaths";
import { ArchiveState } from "./archiveState";
import { stampEvent, type ArchiveEvent } from "./events";
import { EventLogWriter, readEventLog, syncDirectory, type LogChunk, type ReadLogOptions } from "./eventLog";
import type { ArchiveProblem } from "./types";

export interface OpenedFiles {
  readonly state: ArchiveState;
  readonly problems: ArchiveProblem[];
  readonly repo: AgentsRepo;
  readonly writer: EventLogWriter | null;
  readonly lock: ArchiveLock | null;
  /** Where the next incremental read starts. */
  readonly readPosition: { offset: number; lines: number };
}

export async function openArchiveFiles(paths: ArchivePaths, options: { create: boolean; readOnly: boolean }): Promise<OpenedFiles> {
  const repo = new AgentsRepo(paths.gitDir);
  if (!existsSync(paths.log) && (!options.create || options.readOnly)) {
    throw new CladeError("archive-missing", `No Clade archive in ${paths.workspace} (${paths.log} does not exist).`, "Start one with `clade evolve --workspace <folder> …`, or pass the workspace that holds `.clade/`.");
  }
  await fs.mkdir(paths.dir, { recursive: true });
  const lock = options.readOnly ? null : await ArchiveLock.acquire(paths.lock);
  try {
    if (!existsSync(paths.log)) await createFiles(paths, repo);
    const { state, problems, chunk } = await replayLog(paths.log);
    if (!options.readOnly && problems.some((p) => p.code === "newer-version")) {
      throw new CladeError("archive-corrupt", `The archive in ${paths.workspace} was written by a newer version of Clade.`, "Update Clade; older versions can only read such an archive.");
    }
    const writer = options.readOnly ? null : await EventLogWriter.open(paths.log, chunk);
    const reported = problems.map((p) => (p.code === "torn-line" && writer?.movedTail ? { ...p, message: `${p.message} Its bytes were moved to ${writer.movedTail}.` } : p));
    return { state, problems: reported, repo, writer, lock, readPosition: { offset: chunk.end, lines: chunk.lineCount } };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

export interface Replayed {
  readonly state: ArchiveState;
  /** Log problems (torn, bad, newer lines) and events that did not fit the state, by line. */
  readonly problems: ArchiveProblem[];
  readonly chunk: LogChunk;
  /** The events applied, in order. */
  readonly applied: number;
}

/**
 * Replays the log (or, with `options.from`, what follows) into `state`; events that do not fit are
 * reported and skipped. `onApplied` sees each applied event.
 */
export async function replayLog(file: string, state = new ArchiveState(), options: ReadLogOptions & { onApplied?: (event: ArchiveEvent) => void } = {}): Promise<Replayed> {
  const rejected: ArchiveProblem[] = [];
  let applied = 0;
  const chunk = await readEventLog(file, (event, line) => {
    const problem = state.apply(event);
    if (problem === null) {
      applied++;
      options.onApplied?.(event);
    } else {
      rejected.push({ severity: "error", code: "rejected-event", line, message: `archive.jsonl line ${line} (${event.type}) was skipped: ${problem}.` });
    }
  }, options);
  const problems = [...chunk.problems, ...rejected].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { state, problems, chunk, applied };
}

async function createFiles(paths: ArchivePaths, repo: AgentsRepo): Promise<void> {
  const ignore = `${paths.dir}/.gitignore`;
  if (!existsSync(ignore)) await fs.writeFile(ignore, "# Clade's archive: local state, not part of the project.\n*\n");
  await repo.init();
  const handle = await fs.open(paths.log, "wx");
  try {
    await handle.write(JSON.stringify(stampEvent({ type: "archive-created", format: "clade-archive" })) + "\n");
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await syncDirectory(paths.dir);
}
