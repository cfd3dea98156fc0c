// Common TaskSuite plumbing: tasks are loaded once on first use; get() by id; hash over contents.
import { taskSetHash } from "./taskSetHash";
import type { SkippedItem, SuiteKind, Task, TaskSuite } from "./types";

export interface SuiteSpec {
  id: string;
  kind: SuiteKind;
  description: string;
  load: () => Promise<Task[]>;
  skipped?: () => SkippedItem[];
  dispose?: () => void;
}

export function makeSuite(spec: SuiteSpec): TaskSuite {
  let loaded: Promise<Task[]> | undefined;
  let hashed: Promise<string> | undefined;
  const list = (): Promise<Task[]> => {
    loaded ??= spec.load().catch((error: unknown) => {
      loaded = undefined; // let a later call retry (e.g. after a cancelled mining run)
      throw error;
    });
    return loaded;
  };
  return {
    id: spec.id,
    kind: spec.kind,
    description: spec.description,
    list,
    get: async (id) => (await list()).find((t) => t.id === id),
    hash: () =>
      (hashed ??= list()
        .then(taskSetHash)
        .catch((error: unknown) => {
          hashed = undefined;
          throw error;
        })),
    ...(spec.skipped ? { skipped: spec.skipped } : {}),
    dispose: () => spec.dispose?.(),
  };
}
