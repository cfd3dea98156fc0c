// The built-in suite: original JavaScript tasks stored as data, one folder per task:
//   builtin/<tier>/<id>/task.json        id, title, instructions, [testCommand, timeoutMs, language]
//   builtin/<tier>/<id>/files/start/     the agent's starting files
//   builtin/<tier>/<id>/files/tests/     hidden tests (node:test), installed only for scoring
//   builtin/<tier>/<id>/files/solution/  reference: files written over the starting files
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { CladeError } from "../../protocol/errors";
import { builtinTasksDir } from "./builtinDir";
import { entryTaskFiles } from "./entryTaskFiles";
import { listDirEntries } from "./fileEntries";
import { makeSuite } from "./makeSuite";
import type { Task, TaskSuite, TaskTier } from "./types";

const tiers: readonly TaskTier[] = ["T0", "T1", "T2"];

const builtinTaskSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string().min(1),
  instructions: z.string().min(1),
  language: z.enum(["javascript", "typescript"]).default("javascript"),
  testCommand: z.string().optional(),
  timeoutMs: z.number().int().positive().default(30_000),
});

export function openBuiltinSuite(root = builtinTasksDir()): TaskSuite {
  return makeSuite({ id: "builtin", kind: "builtin", description: `built-in tasks (${root})`, load: () => loadBuiltinTasks(root) });
}

async function loadBuiltinTasks(root: string): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const tier of tiers) {
    const tierDir = path.join(root, tier);
    const ids = (await fs.readdir(tierDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    for (const id of ids) tasks.push(await loadBuiltinTask(path.join(tierDir, id), tier));
  }
  return tasks;
}

export async function loadBuiltinTask(dir: string, tier: TaskTier): Promise<Task> {
  const raw: unknown = JSON.parse(await fs.readFile(path.join(dir, "task.json"), "utf8"));
  const parsed = builtinTaskSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new CladeError("invalid-tasks", `Built-in task ${dir}/task.json: ${first.path.join(".")}: ${first.message}`, "Fix the task.json of this built-in task.");
  }
  const spec = parsed.data;
  const filesDir = path.join(dir, "files");
  const start = await listDirEntries(path.join(filesDir, "start"));
  const tests = await listDirEntries(path.join(filesDir, "tests"));
  const reference = await listDirEntries(path.join(filesDir, "solution"));
  const hiddenTestPaths = tests.map((t) => t.path);
  const testCommand = spec.testCommand ?? `node --test ${hiddenTestPaths.join(" ")}`;
  return {
    id: spec.id,
    suite: "builtin",
    tier,
    title: spec.title,
    instructions: spec.instructions,
    language: spec.language,
    testCommand,
    timeoutMs: spec.timeoutMs,
    allowCommands: ["node"],
    hiddenTestPaths,
    hasReference: true,
    files: entryTaskFiles({ start, tests, reference, hashSalt: `${testCommand}\n${spec.timeoutMs}\n${spec.instructions}` }),
  };
}
