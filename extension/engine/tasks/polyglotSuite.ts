// A folder of Exercism / Aider-Polyglot exercises (a track's exercises/practice, the polyglot
// benchmark root with one folder per language, or a single exercise) as a suite.
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { CladeError } from "../../protocol/errors";
import { makeSuite } from "./makeSuite";
import { loadExercise } from "./polyglotExercise";
import type { OpenSuiteOptions, Task, TaskSuite } from "./types";

const maxDepth = 5;

export function openPolyglotSuite(folder: string, options: OpenSuiteOptions = {}): TaskSuite {
  const root = path.resolve(folder);
  const id = `polyglot:${root}`;
  return makeSuite({ id, kind: "polyglot", description: `exercises in ${root}`, load: () => loadExercises(root, id, options) });
}

export function isExerciseDir(dir: string): boolean {
  return existsSync(path.join(dir, ".meta", "config.json"));
}

/** Exercise folders under root (root itself if it is one), sorted by relative path. */
export async function findExercises(root: string): Promise<string[]> {
  if (isExerciseDir(root)) return [root];
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > maxDepth) return;
    const dirents = await fs.readdir(dir, { withFileTypes: true });
    for (const d of dirents) {
      if (!d.isDirectory() || d.name.startsWith(".") || d.name === "node_modules") continue;
      const child = path.join(dir, d.name);
      if (isExerciseDir(child)) found.push(child);
      else await walk(child, depth + 1);
    }
  }
  await walk(root, 0);
  return found.sort();
}

/** "javascript/exercises/practice/two-fer" → "javascript/two-fer"; a single exercise → its name. */
export function exerciseId(root: string, dir: string): string {
  const rel = path.relative(root, dir).split(path.sep).join("/");
  if (!rel) return path.basename(dir);
  return rel.replace(/(^|\/)exercises\/(practice|concept)\//g, "$1").replace(/(^|\/)exercises\//g, "$1");
}

async function loadExercises(root: string, suite: string, options: OpenSuiteOptions): Promise<Task[]> {
  if (!existsSync(root)) {
    throw new CladeError("invalid-argument", `The task folder ${root} does not exist.`, "Pass an existing folder of exercises (each with .docs/instructions.md and .meta/config.json).");
  }
  const dirs = await findExercises(root);
  if (dirs.length === 0) {
    throw new CladeError("invalid-tasks", `No exercises found in ${root}.`, "Point --suite at a folder whose exercises each have .meta/config.json and .docs/instructions.md (Exercism / Aider-Polyglot layout).");
  }
  const tasks: Task[] = [];
  for (const dir of dirs) tasks.push(await loadExercise(dir, { id: exerciseId(root, dir), suite, testCommand: options.testCommand }));
  return tasks;
}
