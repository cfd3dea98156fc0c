// The shape every reliability suite reports in: one record per case (what was tried, whether it
// held, the message or evidence seen), plus named figures. A suite prints it as one line starting
// with RESULT_PREFIX; scripts/reliability.mjs collects the lines and writes RELIABILITY.md.
export const RESULT_PREFIX = "RELIABILITY-RESULT ";

export interface CaseResult {
  suite: string;
  name: string;
  /** The case held (contained / handled / survived). */
  ok: boolean;
  /** The message the user sees, or the evidence. */
  detail: string;
  /** A documented limit of the default mode: reported, not counted as a failure. */
  knownLimit?: boolean;
}

export class SuiteReport {
  readonly cases: CaseResult[] = [];
  readonly figures: Record<string, number | string> = {};

  constructor(readonly suite: string) {}

  add(name: string, ok: boolean, detail: string, knownLimit = false): void {
    this.cases.push({ suite: this.suite, name, ok, detail: detail.slice(0, 600), ...(knownLimit ? { knownLimit } : {}) });
    process.stderr.write(`[${this.suite}] ${ok ? "ok  " : knownLimit ? "LIMIT" : "FAIL"} ${name}: ${detail.split("\n")[0].slice(0, 160)}\n`);
  }

  /** Runs one case; an exception thrown by the check itself is a failed case, never a crash of the suite. */
  async attempt(name: string, check: () => Promise<{ ok: boolean; detail: string; knownLimit?: boolean }>): Promise<void> {
    try {
      const result = await check();
      this.add(name, result.ok, result.detail, result.knownLimit);
    } catch (error) {
      this.add(name, false, `the check threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
  }

  print(): void {
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ suite: this.suite, cases: this.cases, figures: this.figures })}\n`);
  }
}

/** The user-facing text of an error: CladeError message + fix, else the message. */
export function userMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    const e = error as { reason?: string; message: string; fix?: string };
    return `${e.reason ? `[${e.reason}] ` : ""}${e.message}${e.fix ? ` — Fix: ${e.fix}` : ""}`;
  }
  return String(error);
}
