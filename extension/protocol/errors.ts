// Typed errors shared by engine, CLI and extension. Every error names the problem and the fix.
// Code decides on `reason`, never on message text (see CladeError.is).

export type ErrorReason =
  | "model-missing"
  | "model-not-gguf"
  | "model-corrupt"
  | "model-unsupported-architecture"
  | "model-not-loaded"
  | "adapter-incompatible"
  | "no-binary"
  | "out-of-memory"
  | "download-failed"
  | "invalid-argument"
  | "invalid-settings"
  | "cancelled"
  | "engine-crashed"
  | "training-failed"
  | "untrusted-workspace"
  | "sandbox-violation"
  | "sandbox-unavailable"
  | "invalid-tasks"
  | "test-command-missing"
  | "archive-missing"
  | "archive-locked"
  | "archive-corrupt"
  | "disk-full"
  /** A chat request's prompt does not fit the sequence's context. */
  | "context-overflow"
  /** An inference server (`openai:` model) cannot be reached, or went away mid-run and did not come back. */
  | "server-unreachable"
  /** An inference server answered with an error (4xx/5xx) or something that is not its API. */
  | "server-error"
  /** An inference server took longer than the request timeout. */
  | "server-timeout"
  | "internal";

/** What crosses the JSON-RPC boundary in `ResponseError.data`. */
export interface ErrorData {
  reason: ErrorReason;
  fix: string;
  details?: Record<string, unknown>;
}

export class CladeError extends Error {
  override readonly name = "CladeError";
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly fix: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static is(error: unknown, reason?: ErrorReason): error is CladeError {
    return error instanceof CladeError && (reason === undefined || error.reason === reason);
  }

  toData(): ErrorData {
    return { reason: this.reason, fix: this.fix, ...(this.details ? { details: this.details } : {}) };
  }

  /** The one-paragraph text a user sees: the problem, then what to do about it. */
  describe(): string {
    return `${this.message}\nFix: ${this.fix}`;
  }

  static fromData(message: string, data: ErrorData): CladeError {
    return new CladeError(data.reason, message, data.fix, data.details);
  }
}

export function isErrorData(value: unknown): value is ErrorData {
  return typeof value === "object" && value !== null && typeof (value as ErrorData).reason === "string" && typeof (value as ErrorData).fix === "string";
}

export function cancelledError(what = "The request"): CladeError {
  return new CladeError("cancelled", `${what} was cancelled.`, "Nothing to fix: start it again when you want.");
}

/** Whether a Node error means the disk (or the user's quota) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/** The error for a write that failed because the disk is full: what was being written, and that earlier work is safe. */
export function diskFullError(what: string, error: unknown): CladeError {
  return new CladeError("disk-full",
    `The disk is full: ${what} failed (${(error as { code?: string }).code ?? "ENOSPC"}). Nothing written before was lost.`,
    "Free disk space (or raise your quota), then run it again; a session resumes where it stopped.", undefined, { cause: error });
}
