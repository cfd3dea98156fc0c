// pass@1 scoring: the hidden tests are installed and the task's test command decides.
import { cancelledError } from "../../protocol/errors";
import { runTestCommand } from "./runTestCommand";
import { copyTaskDir, installHiddenTests, makeScratchDir } from "./taskDirs";
import type { ScoreOptions, ScoreResult, Task } from "./types";

/**
 * Scores the work in `dir`. By default `dir` is copied to a scratch directory first and the hidden
 * tests go into the copy, so they never appear where the agent worked; `inPlace` skips the copy.
 * Throws a `cancelled` CladeError when the signal aborts.
 */
export async function scoreTask(task: Task, dir: string, options: ScoreOptions = {}): Promise<ScoreResult> {
  if (options.signal?.aborted) throw cancelledError(`Scoring task "${task.id}"`);
  if (options.inPlace) return scoreIn(task, dir, options);
  const scratch = await makeScratchDir("score");
  try {
    await copyTaskDir(dir, scratch.path);
    return await scoreIn(task, scratch.path, options);
  } finally {
    await scratch.dispose();
  }
}

async function scoreIn(task: Task, dir: string, options: ScoreOptions): Promise<ScoreResult> {
  await installHiddenTests(task, dir);
  const result = await runTestCommand(task, dir, options);
  if (result.cancelled) throw cancelledError(`Scoring task "${task.id}"`);
  return result;
}
