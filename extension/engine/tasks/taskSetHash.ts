// The task-set hash recorded with every evaluation: two nodes compare only on the same hash.
import { createHash } from "node:crypto";
import type { Task } from "./types";

/** sha256 over the sorted task ids and each task's content hash. */
export async function taskSetHash(tasks: readonly Task[]): Promise<string> {
  const rows: string[] = [];
  for (const task of tasks) rows.push(`${task.suite}\0${task.id}\0${await task.files.contentHash()}`);
  rows.sort();
  return createHash("sha256").update(rows.join("\n")).digest("hex");
}
