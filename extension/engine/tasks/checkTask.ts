// A task is valid when its reference solution passes the hidden tests AND its starting state
// fails them (otherwise it measures nothing).
import { cancelledError } from "../../protocol/errors";
import { scoreTask } from "./scoreTask";
import { applyReference, makeScratchDir, materializeTask } from "./taskDirs";
import type { CheckResult, ScoreResult, Task } from "./types";

export interface CheckOptions {
  signal?: AbortSignal;
}

export async function checkTask(task: Task, options: CheckOptions = {}): Promise<CheckResult> {
  const started = Date.now();
  const problems: string[] = [];
  const start = await runState(task, false, options);
  const startFails = !start.passed;
  if (!startFails) problems.push("The starting state already passes the hidden tests: the task asks for no change.");
  if (start.timedOut) problems.push(`The starting state timed out after ${task.timeoutMs} ms: make the hidden tests fail fast on it.`);

  let referencePasses = false;
  if (!task.hasReference) {
    problems.push("No reference solution: cannot show that the task is solvable.");
  } else {
    const reference = await runState(task, true, options);
    referencePasses = reference.passed;
    if (!referencePasses) problems.push(`The reference solution fails the hidden tests (${describeFailure(reference)}):\n${tail(reference.output, 1500)}`);
  }
  return { id: task.id, valid: startFails && referencePasses && problems.length === 0, referencePasses, startFails, problems, durationMs: Date.now() - started };
}

async function runState(task: Task, withReference: boolean, options: CheckOptions): Promise<ScoreResult> {
  if (options.signal?.aborted) throw cancelledError(`Checking task "${task.id}"`);
  const scratch = await makeScratchDir("check");
  try {
    await materializeTask(task, scratch.path);
    if (withReference) await applyReference(task, scratch.path);
    return await scoreTask(task, scratch.path, { signal: options.signal, inPlace: true });
  } finally {
    await scratch.dispose();
  }
}

function describeFailure(result: ScoreResult): string {
  if (result.timedOut) return "timed out";
  return `exit code ${result.exitCode ?? "none"}`;
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max)}`;
}
