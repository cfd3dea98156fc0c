// A failed agent run's signature, for clustering failures (recipe `targeted`, `clade failures`):
// what stopped it when the agent did not finish, else the failing test names the output shows,
// else the error class in it, else the exit code. Runs with the same signature failed the same way.
import { parseTestCases } from "../../tasks/parseTestOutput";
import type { TrajectoryRun } from "../readTrajectory";

export function failureSignature(run: Pick<TrajectoryRun, "passed" | "stopReason" | "test" | "error">): string | undefined {
  if (run.passed) return undefined;
  if (run.error) return `error: ${run.error.reason}`;
  if (run.stopReason && run.stopReason !== "finished") return `stopped: ${run.stopReason}`;
  if (!run.test) return "not scored";
  if (run.test.timedOut) return "tests: timed out";
  const failed = parseTestCases(run.test.output).failed.sort();
  if (failed.length) return `failing: ${failed.slice(0, 3).join(" | ")}${failed.length > 3 ? ` (+${failed.length - 3})` : ""}`;
  const errorClass = /\b([A-Z][A-Za-z]*(?:Error|Exception))\b/.exec(run.test.output);
  if (errorClass) return `error class: ${errorClass[1]}`;
  return `exit ${run.test.exitCode ?? "killed"}`;
}
