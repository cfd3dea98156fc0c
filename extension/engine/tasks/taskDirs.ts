// Putting a task's files into directories: the agent's starting state, the hidden tests (scoring
// time only), the reference solution, and scratch directories that clean up after themselves.
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CladeError } from "../../protocol/errors";
import type { Task } from "./types";

/** Writes the task's starting files into `dir`. */
export async function materializeTask(task: Task, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await task.files.writeStart(dir);
}

/** Writes the hidden tests into `dir`. Only at scoring time, never while an agent works there. */
export async function installHiddenTests(task: Task, dir: string): Promise<void> {
  await task.files.writeHiddenTests(dir);
}

/** Writes the reference solution over a starting state in `dir`. */
export async function applyReference(task: Task, dir: string): Promise<void> {
  if (!task.files.writeReference) {
    throw new CladeError("invalid-tasks", `Task "${task.id}" has no reference solution.`, "Add a reference solution to the task, or skip `tasks check` for it.");
  }
  await task.files.writeReference(dir);
}

export interface ScratchDir {
  readonly path: string;
  dispose(): Promise<void>;
}

/** A fresh empty directory under the OS temp folder; dispose() removes it. */
export async function makeScratchDir(prefix: string): Promise<ScratchDir> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `clade-${prefix}-`));
  return { path: dir, dispose: () => fs.rm(dir, { recursive: true, force: true, maxRetries: 3 }) };
}

/** Copies a task directory (symlinks stay links, e.g. a node_modules link). */
export async function copyTaskDir(from: string, to: string): Promise<void> {
  await fs.cp(from, to, { recursive: true, verbatimSymlinks: true, force: true });
}
