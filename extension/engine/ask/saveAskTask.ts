// An applied ask as a task of the workspace's `.clade/tasks.yaml`, so later versions are evaluated
// on the user's own work: the starting files are the workspace with the change taken back out, the
// test files become the hidden tests, the change's other files the reference solution, and the
// ask's test command decides. The task is checked (`clade tasks check` rules: the start fails, the
// reference passes) before it is written; an invalid one is refused with the reason. The task is
// evaluated with the workspace's tests as they are after the change (hidden while an agent works).
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { parseDocument, YAMLSeq } from "yaml";
import type { AskSaveResult } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import { checkTask } from "../tasks/checkTask";
import { openSuite } from "../tasks/openSuite";
import { appendAskRecord, asksPaths, findAsk } from "./askLog";
import { readChange } from "./askService";
import { listWorkspaceFiles } from "./workspaceSnapshot";

const TEST_FILE = /(^|\/)(tests?|__tests__)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)test_[^/]*\.py$|_test\.(py|go)$/;

export async function saveAskAsTask(workspace: string, askId: string, wanted?: string): Promise<AskSaveResult> {
  const root = path.resolve(workspace);
  const ask = await findAsk(root, askId);
  if (ask.resolution !== "applied") throw new CladeError("invalid-argument", `Ask ${askId} was not applied (${ask.resolution ?? ask.outcome}); only work you kept becomes a task.`, `Apply it first (\`clade asks apply ${askId}\`).`);
  if (!ask.testCommand) throw new CladeError("invalid-argument", `Ask ${askId} had no test command, so nothing could tell a later version's attempt right from wrong.`, 'Ask again with --test-command "…" (the command that defines done).');
  if (ask.savedAs) throw new CladeError("invalid-argument", `Ask ${askId} is already task "${ask.savedAs}".`, "Nothing to do.");
  const taskId = wanted ?? `ask-${askId}`;
  if (!/^[A-Za-z0-9][\w.-]*$/.test(taskId)) throw new CladeError("invalid-argument", `"${taskId}" is not a task id.`, "Use letters, digits, '.', '_' and '-'.");
  const tasksFile = path.join(root, ".clade", "tasks.yaml");
  const taskDir = path.join(root, ".clade", "tasks", taskId);
  if (existsSync(taskDir)) throw new CladeError("invalid-argument", `A task folder ${taskDir} exists already.`, "Pick another id (--id).");
  const askDir = asksPaths(root).askDir(askId);
  const change = await readChange(askDir);

  const start = path.join(taskDir, "start");
  const solution = path.join(taskDir, "solution");
  const tests = path.join(taskDir, "tests");
  try {
    // Start: the workspace now with each changed file as the agent found it (added files left out);
    // the test files (as they are now, the change's included) become the hidden tests, the change's
    // other files the reference solution.
    const changed = new Map(change.files.map((f) => [f.path, f]));
    for (const rel of (await listWorkspaceFiles(root)).paths) {
      if (TEST_FILE.test(rel)) await copy(path.join(root, rel), path.join(tests, rel));
      else if (!changed.has(rel)) await copy(path.join(root, rel), path.join(start, rel));
    }
    for (const file of change.files) {
      if (TEST_FILE.test(file.path)) continue;
      if (file.before !== undefined) await copy(path.join(askDir, "before", file.path), path.join(start, file.path));
      if (file.after !== undefined) await copy(path.join(askDir, "after", file.path), path.join(solution, file.path));
    }
    if (!existsSync(tests)) throw new CladeError("invalid-tasks", `Ask ${askId} cannot become a task: the workspace has no test files (test/, tests/, *.test.*, *.spec.*) to check a later version's attempt with.`, "Add a test that fails without the change, then save again.");
    const spec = { id: taskId, title: ask.instruction.split("\n")[0]!.slice(0, 80), instructions: ask.instruction, startDir: rel(root, start), ...(existsSync(solution) ? { solutionDir: rel(root, solution) } : {}), ...(existsSync(tests) ? { testsDir: rel(root, tests) } : {}), testCommand: ask.testCommand };
    const before = existsSync(tasksFile) ? await fs.readFile(tasksFile, "utf8") : null;
    await fs.writeFile(tasksFile, withTask(before, spec));
    const problems = await check(root, tasksFile, taskId);
    if (problems.length) {
      if (before === null) await fs.rm(tasksFile, { force: true });
      else await fs.writeFile(tasksFile, before);
      throw new CladeError("invalid-tasks", `Ask ${askId} does not make a valid task: ${problems.join(" ")}`, "The change needs a test that fails without it: add one (in the ask's instruction or by hand) and save again.");
    }
    await appendAskRecord(root, { type: "ask-saved", askId, taskId, tasksFile });
    return { taskId, tasksFile };
  } catch (error) {
    await fs.rm(taskDir, { recursive: true, force: true });
    throw error;
  }
}

/** The tasks.yaml text with the task appended (comments and layout of an existing file kept). */
function withTask(text: string | null, spec: Record<string, string>): string {
  const doc = parseDocument(text ?? "tasks: []\n");
  if (doc.errors.length) throw new CladeError("invalid-tasks", `.clade/tasks.yaml does not parse: ${doc.errors[0]!.message}`, "Fix the file (`clade tasks check --suite yaml`), then save again.");
  let tasks = doc.get("tasks");
  if (!(tasks instanceof YAMLSeq)) {
    tasks = new YAMLSeq();
    doc.set("tasks", tasks);
  }
  (tasks as YAMLSeq).add(doc.createNode(spec));
  (tasks as YAMLSeq).flow = false;
  return doc.toString();
}

async function check(root: string, tasksFile: string, taskId: string): Promise<string[]> {
  const suite = openSuite(`yaml:${tasksFile}`, { workspace: root });
  try {
    const task = await suite.get(taskId);
    if (!task) return ["the written task is not in the suite."];
    const result = await checkTask(task);
    return result.valid ? [] : result.problems;
  } finally {
    suite.dispose();
  }
}

async function copy(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  await fs.copyFile(from, to);
}

function rel(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join("/");
}
