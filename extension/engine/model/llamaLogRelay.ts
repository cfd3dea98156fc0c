// Forwards llama.cpp / node-llama-cpp log lines to the engine log (source "llama") and keeps the
// recent warnings and errors, so a failed load can say what llama.cpp complained about
// (llama.cpp reports e.g. "unknown model architecture" only in its log, not in the thrown error).
import { LlamaLogLevel } from "node-llama-cpp";
import type { LogEntry } from "../../protocol/engine";

type Level = LogEntry["level"];

const toEntryLevel: Record<LlamaLogLevel, Level> = {
  [LlamaLogLevel.disabled]: "trace",
  [LlamaLogLevel.fatal]: "error",
  [LlamaLogLevel.error]: "error",
  [LlamaLogLevel.warn]: "warn",
  [LlamaLogLevel.info]: "info",
  [LlamaLogLevel.log]: "info",
  [LlamaLogLevel.debug]: "debug",
};

const toLlamaLevel: Record<Level, LlamaLogLevel> = {
  error: LlamaLogLevel.error,
  warn: LlamaLogLevel.warn,
  info: LlamaLogLevel.info,
  debug: LlamaLogLevel.debug,
  trace: LlamaLogLevel.debug,
};

const keptLines = 200;
const severity: Record<Level, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export class LlamaLogRelay {
  private readonly recent: { seq: number; line: string }[] = [];
  private seq = 0;

  constructor(
    private readonly log: (entry: LogEntry) => void,
    readonly level: Level = "warn",
  ) {}

  get llamaLogLevel(): LlamaLogLevel {
    return toLlamaLevel[this.level];
  }

  readonly logger = (level: LlamaLogLevel, message: string): void => {
    const text = message.trimEnd();
    if (text === "") return;
    const entryLevel = toEntryLevel[level] ?? "info";
    if (entryLevel === "error" || entryLevel === "warn") {
      this.recent.push({ seq: ++this.seq, line: text });
      if (this.recent.length > keptLines) this.recent.shift();
    }
    // The shared llama.cpp binding logs at the most verbose level any host asked for.
    if (severity[entryLevel] < severity[this.level]) return;
    try {
      this.log({ level: entryLevel, source: "llama", message: text });
    } catch {
      // A broken log sink must never break inference.
    }
  };

  /** A position in the log; `linesSince(mark)` returns the warnings and errors logged after it. */
  mark(): number {
    return this.seq;
  }

  linesSince(mark: number): string[] {
    return this.recent.filter((entry) => entry.seq > mark).map((entry) => entry.line);
  }
}
