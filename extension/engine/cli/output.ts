// How the CLI talks to people and to scripts: JSON on stdout with --json, readable text otherwise;
// errors always name the problem and the fix; progress as a bar in a TTY, plain lines otherwise.
import { SingleBar } from "cli-progress";
import type { ProgressValue } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit codes: 1 = a CladeError (bad input, model problem...), 3 = a bug. 2 is usage (commander). */
export function reportError(error: unknown, json: boolean): number {
  const clade = CladeError.is(error) ? error : undefined;
  if (json) {
    const body = clade
      ? { reason: clade.reason, message: clade.message, fix: clade.fix, ...(clade.details ? { details: clade.details } : {}) }
      : { reason: "internal", message: error instanceof Error ? error.message : String(error), fix: "This is a bug in Clade; please report it." };
    printJson({ error: body });
  } else if (clade) {
    process.stderr.write(`clade: ${clade.message}\n  fix: ${clade.fix}\n`);
  } else {
    process.stderr.write(`clade: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  return clade ? 1 : 3;
}

/** A progress sink: a bar on a TTY (stderr), else one line per 10% step or per new title. */
export function createProgress(enabled = true): { update(value: ProgressValue): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const tty = Boolean(process.stderr.isTTY);
  let bar: SingleBar | undefined;
  let title = "";
  let lastStep = -1;
  return {
    update(value) {
      const raw = value.percentage ?? (value.total ? (100 * (value.done ?? 0)) / value.total : undefined);
      // A budget can be overshot by the step that crossed it (a gate run): never show more than 100%.
      const percentage = raw === undefined ? undefined : Math.min(100, raw);
      if (tty && percentage !== undefined) {
        if (!bar || value.title !== title) {
          bar?.stop();
          bar = new SingleBar({ format: `${value.title} [{bar}] {percentage}% {message}`, stream: process.stderr, hideCursor: true });
          bar.start(100, 0, { message: "" });
        }
        bar.update(Math.round(percentage), { message: value.message ?? "" });
      } else {
        const step = percentage === undefined ? -1 : Math.floor(percentage / 10);
        if (value.title !== title || step > lastStep) {
          process.stderr.write(`${value.title}${percentage !== undefined ? ` ${Math.round(percentage)}%` : ""}${value.message ? ` ${value.message}` : ""}\n`);
        }
        lastStep = value.title !== title ? step : Math.max(step, lastStep);
      }
      title = value.title;
    },
    stop() {
      bar?.stop();
    },
  };
}
