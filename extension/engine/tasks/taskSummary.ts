import type { Task, TaskSummary } from "./types";

/** The JSON-safe view of a task (no file writers). */
export function toTaskSummary(task: Task): TaskSummary {
  return {
    id: task.id,
    suite: task.suite,
    ...(task.tier ? { tier: task.tier } : {}),
    title: task.title,
    language: task.language,
    testCommand: task.testCommand,
    timeoutMs: task.timeoutMs,
    hasReference: task.hasReference,
    hiddenTestPaths: [...task.hiddenTestPaths],
    instructions: task.instructions,
    ...(task.meta ? { meta: { ...task.meta } } : {}),
  };
}
