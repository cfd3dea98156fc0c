// `clade tasks list --suite S`: the suite's tasks as JSON-safe summaries, with the task-set hash.
import { openSuite } from "./openSuite";
import { toTaskSummary } from "./taskSummary";
import type { OpenSuiteOptions, SkippedItem, SuiteKind, TaskSummary } from "./types";

export interface SuiteListing {
  suite: string;
  kind: SuiteKind;
  description: string;
  hash: string;
  tasks: TaskSummary[];
  /** What did not become a task, with why (repo suites: rejected commits). */
  skipped: SkippedItem[];
}

export async function listTasks(spec: string, options: OpenSuiteOptions = {}): Promise<SuiteListing> {
  const suite = openSuite(spec, options);
  try {
    const tasks = await suite.list();
    return { suite: suite.id, kind: suite.kind, description: suite.description, hash: await suite.hash(), tasks: tasks.map(toTaskSummary), skipped: suite.skipped?.() ?? [] };
  } finally {
    suite.dispose();
  }
}
