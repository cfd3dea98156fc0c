// archive.jsonl on disk: reading it back (a torn last line from a crash is reported and ignored; a
// bad line in the middle is reported and skipped) and appending to it, each append written and
// fdatasync'd before its promise resolves, so "done" means on disk.
import { promises as fs, readFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { CladeError, diskFullError, isDiskFull } from "../../protocol/errors";
import type { ArchiveEvent } from "./events";
import { parseEventLine } from "./parseEvent";
import type { ArchiveProblem } from "./types";

const NEWLINE = 0x0a;

/** Called for each valid event in file order, with its 1-based line number. */
export type EventSink = (event: ArchiveEvent, line: number) => void;

export interface LogChunk {
  /** Valid events passed to the sink. */
  readonly events: number;
  readonly problems: ArchiveProblem[];
  /** Byte offset just after the last line consumed. */
  readonly end: number;
  /** Lines consumed (the next chunk's first line is `lineCount + 1`). */
  readonly lineCount: number;
  /** A last line with no newline that is not a valid event (a write cut short): bytes [end, size). */
  readonly tornTail: boolean;
  /** The last line is a valid event without its newline: the next append starts with one. */
  readonly needsNewline: boolean;
}

export interface ReadLogOptions {
  /** Byte offset and line count already consumed (for reading what another writer appended). */
  readonly from?: { readonly offset: number; readonly lines: number };
  /** Leave an unterminated last line unread instead of judging it (another writer may be mid-line). */
  readonly leavePartialTail?: boolean;
}

/**
 * Reads the log (or what follows `options.from`), handing each valid event to `sink` as soon as it
 * is parsed: a replay streams, so parsed events that the state does not keep die young.
 */
export async function readEventLog(file: string, sink: EventSink, options: ReadLogOptions = {}): Promise<LogChunk> {
  const offset = options.from?.offset ?? 0;
  const data = await readFrom(file, offset);
  const complete = data.lastIndexOf(NEWLINE) + 1;
  const problems: ArchiveProblem[] = [];
  let events = 0;
  let lineNo = options.from?.lines ?? 0;
  if (complete > 0) {
    const text = data.toString("utf8", 0, complete - 1);
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      lineNo++;
      if (end > start && acceptLine(text.slice(start, end), lineNo, false, sink, problems)) events++;
      start = end + 1;
    }
  }
  const chunk = { events, problems, end: offset + complete, lineCount: lineNo, tornTail: false, needsNewline: false };
  const tail = data.subarray(complete);
  if (tail.length === 0 || options.leavePartialTail) return chunk;
  lineNo++;
  const accepted = acceptLine(tail.toString("utf8"), lineNo, true, sink, problems);
  return { ...chunk, events: events + (accepted ? 1 : 0), end: accepted ? offset + data.length : chunk.end, lineCount: lineNo, tornTail: !accepted, needsNewline: accepted };
}

/** Hands a valid line's event to the sink or reports the line; returns whether it was valid. */
function acceptLine(line: string, lineNo: number, last: boolean, sink: EventSink, problems: ArchiveProblem[]): boolean {
  const parsed = parseEventLine(line);
  if (parsed.ok) {
    sink(parsed.event, lineNo);
    return true;
  }
  if (line.trim() === "") return false;
  if (last && !parsed.newer) {
    problems.push({ severity: "warning", code: "torn-line", line: lineNo, message: `archive.jsonl line ${lineNo} is cut short (a crash during a write?) and was ignored: ${parsed.message}.` });
  } else {
    problems.push({ severity: "error", code: parsed.newer ? "newer-version" : "bad-line", line: lineNo, message: `archive.jsonl line ${lineNo} was skipped: ${parsed.message}.` });
  }
  return false;
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  // The whole log at open: read synchronously (the parse that follows holds the event loop far
  // longer); fs.readFile's chunked reads through the thread pool cost 20–35 ms on a 38 MB log.
  if (offset === 0) return readFileSync(file);
  const handle = await fs.open(file, "r");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/**
 * The append side. Appends are queued so lines never interleave; each resolves after write +
 * fdatasync. A failed write is rolled back (truncated to the last good size) so the log never keeps
 * half a line in the middle; if even that fails the writer refuses further appends.
 */
export class EventLogWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private broken: Error | null = null;

  private constructor(
    private readonly handle: FileHandle,
    private size: number,
    private needsNewline: boolean,
    /** Where a torn tail was moved, when open() found one. */
    readonly movedTail: string | null,
  ) {}

  /**
   * Opens `file` for appending after a read that ended at `end`. A torn tail is moved aside to
   * `<file>.torn-<offset>` (kept for inspection) and cut off, so new lines do not glue onto it.
   */
  static async open(file: string, read: Pick<LogChunk, "end" | "tornTail" | "needsNewline">): Promise<EventLogWriter> {
    const handle = await fs.open(file, "a");
    try {
      const { size } = await handle.stat();
      if (read.tornTail && size > read.end) {
        const tail = await readFrom(file, read.end);
        const aside = `${file}.torn-${read.end}`;
        await fs.writeFile(aside, tail);
        await handle.truncate(read.end);
        await handle.datasync();
        return new EventLogWriter(handle, read.end, false, aside);
      }
      return new EventLogWriter(handle, size, read.needsNewline, null);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Appends one event; resolves once it is on disk. */
  append(event: ArchiveEvent): Promise<void> {
    const line = (this.needsNewline ? "\n" : "") + JSON.stringify(event) + "\n";
    this.needsNewline = false;
    const next = this.queue.then(() => this.write(Buffer.from(line, "utf8")));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Bytes in the log after the last append. */
  get bytes(): number {
    return this.size;
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.handle.close();
  }

  private async write(data: Buffer): Promise<void> {
    if (this.broken) throw logBroken(this.broken);
    try {
      let written = 0;
      while (written < data.length) written += (await this.handle.write(data, written, data.length - written)).bytesWritten;
      await this.handle.datasync();
      this.size += data.length;
    } catch (error) {
      try {
        await this.handle.truncate(this.size);
      } catch {
        this.broken = error as Error;
      }
      if (isDiskFull(error)) throw diskFullError("writing the archive log (.clade/archive.jsonl; the event being written was rolled back)", error);
      throw new CladeError("internal", `Could not write to the archive log: ${(error as Error).message}`, "Check free disk space and permissions of the workspace's .clade folder, then try again.", undefined, { cause: error });
    }
  }
}

function logBroken(cause: Error): CladeError {
  return new CladeError("archive-corrupt", `The archive log could not be written or repaired after an earlier error (${cause.message}).`, "Close Clade, check the disk, and run `clade archive check`.", undefined, { cause });
}

/** Makes a new directory entry durable (no-op where directories cannot be fsync'd). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // Windows cannot open directories for fsync; NTFS journals the entry itself.
  } finally {
    await handle?.close();
  }
}
