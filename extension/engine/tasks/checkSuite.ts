// `clade tasks check --suite S`: every task's reference passes and its starting state fails.
import { checkTask } from "./checkTask";
import { openSuite } from "./openSuite";
import { runPool } from "./pool";
import type { CheckResult, OpenSuiteOptions, ProgressReport, SuiteCheck } from "./types";

export interface CheckSuiteOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ProgressReport & { result?: CheckResult }) => void;
  /** Only these task ids (default: all). */
  ids?: readonly string[];
  /** Parallel task checks; default 2. */
  concurrency?: number;
}

export async function checkSuite(spec: string, options: OpenSuiteOptions = {}, run: CheckSuiteOptions = {}): Promise<SuiteCheck> {
  const suite = openSuite(spec, { ...options, signal: run.signal ?? options.signal });
  try {
    const all = await suite.list();
    const tasks = run.ids ? all.filter((t) => run.ids?.includes(t.id)) : all;
    let done = 0;
    run.onProgress?.({ done, total: tasks.length });
    const results = await runPool(tasks, { concurrency: run.concurrency ?? options.concurrency ?? 2, signal: run.signal, what: "Checking tasks" }, async (task) => {
      const result = await checkTask(task, { signal: run.signal });
      run.onProgress?.({ done: ++done, total: tasks.length, item: task.id, result });
      return result;
    });
    const checked = results.filter((r): r is CheckResult => r !== undefined);
    const valid = checked.filter((r) => r.valid).length;
    return { suite: suite.id, hash: await suite.hash(), tasks: checked, valid, invalid: checked.length - valid };
  } finally {
    suite.dispose();
  }
}
