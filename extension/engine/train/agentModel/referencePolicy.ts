// A SCRIPTED reference policy: the short, correct tool-call sequence for a task, made by reading the
// task's reference solution (it is an oracle, never presented as a model). Per changed file: look
// at it (read_file), change it with one search/replace per hunk (edit_file; write_file for a new
// file), run the visible tests when the task has them, then finish. The replies are played through
// the real runner (ScriptedProvider), so the trajectories carry the real prompts, tool results and
// hidden-test verdicts, and are rendered for training by the same renderer inference uses.
import { promises as fs } from "node:fs";
import path from "node:path";
import type { ScriptedReply } from "../../agent/scriptedProvider";
import { makeScratchDir } from "../../tasks/taskDirs";
import type { Task } from "../../tasks/types";

export interface ReferenceEdit {
  path: string;
  /** Undefined: a new file, written whole. */
  search?: string;
  replace: string;
}

/** The reference solution's changes against the starting files, as search/replace edits. */
export async function referenceEdits(task: Task): Promise<ReferenceEdit[]> {
  if (!task.files.writeReference) throw new Error(`Task ${task.id} has no reference solution.`);
  const start = await makeScratchDir("ref-start");
  const solved = await makeScratchDir("ref-solved");
  try {
    await task.files.writeStart(start.path);
    await task.files.writeStart(solved.path);
    await task.files.writeReference(solved.path);
    const edits: ReferenceEdit[] = [];
    for (const name of (await listFiles(solved.path)).sort()) {
      const after = await fs.readFile(path.join(solved.path, name), "utf8");
      const before = await fs.readFile(path.join(start.path, name), "utf8").catch(() => undefined);
      if (before === undefined) edits.push({ path: name, replace: after });
      else if (before !== after) edits.push(...hunkEdits(name, before, after));
    }
    return edits;
  } finally {
    await start.dispose();
    await solved.dispose();
  }
}

/** One edit for the changed lines (common leading and trailing lines left out), widened until its search text is unique. */
export function hunkEdits(file: string, before: string, after: string): ReferenceEdit[] {
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  let from = head;
  let to = a.length - tail;
  let toB = b.length - tail;
  // Widen by whole lines until the search text is non-empty and occurs once.
  const search = () => a.slice(from, to).join("\n");
  while ((search().trim() === "" || before.split(search()).length !== 2) && (from > 0 || to < a.length)) {
    if (from > 0) from--;
    else {
      to++;
      toB++;
    }
  }
  const fromB = from;
  return [{ path: file, search: search(), replace: b.slice(fromB, toB).join("\n") }];
}

async function listFiles(root: string): Promise<string[]> {
  const names = (await fs.readdir(root, { recursive: true })).map(String);
  const files: string[] = [];
  for (const name of names) if ((await fs.stat(path.join(root, name))).isFile()) files.push(name);
  return files;
}

/** The reference run as scripted replies: read, edit, (run the tests), finish. */
export function referenceScript(task: Pick<Task, "title">, edits: readonly ReferenceEdit[], options: { runTests: boolean }): ScriptedReply[] {
  const replies: ScriptedReply[] = [];
  for (const file of [...new Set(edits.filter((e) => e.search !== undefined).map((e) => e.path))]) replies.push({ toolCall: { name: "read_file", arguments: { path: file } } });
  for (const edit of edits) {
    replies.push(
      edit.search === undefined
        ? { toolCall: { name: "write_file", arguments: { path: edit.path, content: edit.replace } } }
        : { toolCall: { name: "edit_file", arguments: { path: edit.path, search: edit.search, replace: edit.replace } } },
    );
  }
  if (options.runTests) replies.push({ toolCall: { name: "run_tests", arguments: {} } });
  replies.push({ toolCall: { name: "finish", arguments: { summary: `${task.title}.` } } });
  return replies;
}
