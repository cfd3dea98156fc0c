// Task suites: built-in tasks, Exercism/Aider-Polyglot folders, tasks mined from git history and
// a user's tasks.yaml, behind one interface (types.ts). See README.md in this folder.
export type { CheckResult, OpenSuiteOptions, ProgressReport, ScoreOptions, ScoreResult, SuiteCheck, SuiteKind, Task, TaskFiles, TaskSuite, TaskSummary, TaskTier } from "./types";
export { openSuite } from "./openSuite";
export { listTasks, type SuiteListing } from "./listTasks";
export { checkSuite, type CheckSuiteOptions } from "./checkSuite";
export { checkTask } from "./checkTask";
export { scoreTask } from "./scoreTask";
export { applyReference, copyTaskDir, installHiddenTests, makeScratchDir, materializeTask, type ScratchDir } from "./taskDirs";
export { taskSetHash } from "./taskSetHash";
export { toTaskSummary } from "./taskSummary";
export { builtinTasksDir } from "./builtinDir";
export { parseTestCases, parseTestCounts } from "./parseTestOutput";
