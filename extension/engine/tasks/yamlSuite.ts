// A user's tasks file (default <workspace>/.clade/tasks.yaml) as a suite. Format:
//   testCommand: node --test          # default for every task (optional)
//   tasks:
//     - id: add-sum
//       instructions: |
//         Add sum(a, b) to src/sum.mjs.
//       files: { src/sum.mjs: "" }       # or startDir: tasks/add-sum/start
//       tests: { test/sum.test.mjs: ... } # or testsDir: tasks/add-sum/tests
//       solution: { src/sum.mjs: ... }    # optional, or solutionDir
// Relative folders start at `root:` if given, else at the workspace for a file inside .clade/,
// else at the file's own folder.
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import { CladeError } from "../../protocol/errors";
import { configTestCommand } from "./configTestCommand";
import { entryTaskFiles } from "./entryTaskFiles";
import type { FileEntry } from "./fileEntries";
import { listDirEntries, resolveInside } from "./fileEntries";
import { makeSuite } from "./makeSuite";
import type { YamlIssue, YamlTask } from "./tasksYamlSchema";
import { describeZodIssue, tasksYamlSchema, yamlTaskSchema } from "./tasksYamlSchema";
import type { OpenSuiteOptions, Task, TaskSuite } from "./types";

export function openYamlSuite(file: string, options: OpenSuiteOptions = {}): TaskSuite {
  const abs = path.resolve(file);
  const id = `yaml:${abs}`;
  return makeSuite({ id, kind: "yaml", description: `tasks in ${abs}`, load: () => loadYamlTasks(abs, id, options) });
}

async function loadYamlTasks(file: string, suite: string, options: OpenSuiteOptions): Promise<Task[]> {
  const { doc, lines } = await readYaml(file);
  const raw: unknown = doc.toJS();
  const parsed = tasksYamlSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Report the shape problems and, for the tasks whose shape is right, the other problems too.
    const loose = looseTop(raw);
    const root = loose.root ? path.resolve(path.dirname(file), loose.root) : defaultRoot(file);
    const defaultCommand = loose.testCommand ?? options.testCommand ?? (await configTestCommand(options.workspace ?? root).catch(() => undefined));
    const wellFormed = loose.tasks.flatMap((t, index) => {
      const one = yamlTaskSchema.safeParse(t);
      return one.success ? [{ index, task: one.data }] : [];
    });
    const issues = [...parsed.error.issues.map(describeZodIssue), ...checkTasks(wellFormed, root, defaultCommand)];
    throw invalid(file, sortIssues(issues), doc, lines);
  }
  const spec = parsed.data;
  const root = spec.root ? path.resolve(path.dirname(file), spec.root) : defaultRoot(file);
  const defaultCommand = spec.testCommand ?? options.testCommand ?? (await configTestCommand(options.workspace ?? root));
  const issues = checkTasks(spec.tasks.map((task, index) => ({ index, task })), root, defaultCommand);
  if (issues.length > 0) throw invalid(file, issues, doc, lines);
  const tasks: Task[] = [];
  for (const task of spec.tasks) tasks.push(await buildTask(task, { suite, root, testCommand: (task.testCommand ?? defaultCommand) as string, timeoutMs: task.timeoutMs ?? spec.timeoutMs ?? 60_000, network: spec.network === true }));
  return tasks;
}

/** The top-level fields that are usable even when the file as a whole is not valid. */
function looseTop(raw: unknown): { root?: string; testCommand?: string; tasks: unknown[] } {
  const top = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    root: typeof top.root === "string" ? top.root : undefined,
    testCommand: typeof top.testCommand === "string" ? top.testCommand : undefined,
    tasks: Array.isArray(top.tasks) ? top.tasks : [],
  };
}

/** Issues in file order: by task index, then as found. */
function sortIssues(issues: YamlIssue[]): YamlIssue[] {
  const indexOf = (issue: YamlIssue): number => Number(/^tasks\[(\d+)\]/.exec(issue.path)?.[1] ?? -1);
  return issues.map((issue, order) => ({ issue, order })).sort((a, b) => indexOf(a.issue) - indexOf(b.issue) || a.order - b.order).map((x) => x.issue);
}

function defaultRoot(file: string): string {
  const dir = path.dirname(file);
  return path.basename(dir) === ".clade" ? path.dirname(dir) : dir;
}

async function readYaml(file: string): Promise<{ doc: Document; lines: LineCounter }> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    throw new CladeError("invalid-argument", `There is no tasks file at ${file}.`, "Create it (see the tasks.yaml format in the README), or pass another suite.");
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { path: `line ${pos.line}, column ${pos.col}`, problem: e.message.split("\n")[0], fix: "fix the YAML syntax (indentation, quotes, colons)" };
    });
    throw invalid(file, issues);
  }
  return { doc, lines };
}

/** Checks the schema cannot express: one source per part, unique ids, folders that exist, safe paths. */
function checkTasks(tasks: ReadonlyArray<{ index: number; task: YamlTask }>, root: string, defaultCommand: string | undefined): YamlIssue[] {
  const issues: YamlIssue[] = [];
  const seen = new Map<string, number>();
  tasks.forEach(({ index: i, task }) => {
    const at = (field: string): string => `tasks[${i}].${field}`;
    if (seen.has(task.id)) issues.push({ path: at("id"), problem: `"${task.id}" is already used by tasks[${seen.get(task.id)}]`, fix: "give every task its own id" });
    seen.set(task.id, i);
    if (task.files && task.startDir) issues.push({ path: at("files"), problem: 'is given together with "startDir"', fix: 'keep one of "files" and "startDir"' });
    if (!task.tests && !task.testsDir) issues.push({ path: at("tests"), problem: "is missing", fix: 'add "tests" (a map from test file path to content) or "testsDir" (a folder of hidden tests)' });
    if (task.tests && task.testsDir) issues.push({ path: at("tests"), problem: 'is given together with "testsDir"', fix: 'keep one of "tests" and "testsDir"' });
    if (task.solution && task.solutionDir) issues.push({ path: at("solution"), problem: 'is given together with "solutionDir"', fix: 'keep one of "solution" and "solutionDir"' });
    if (!task.testCommand && !defaultCommand) issues.push({ path: at("testCommand"), problem: "is missing (and no default is set)", fix: 'add `testCommand: "node --test"` to the task or at the top of the file, or set testCommand in .clade/config.yaml' });
    for (const field of ["startDir", "testsDir", "solutionDir"] as const) {
      const dir = task[field];
      if (dir && !existsSync(path.resolve(root, dir))) issues.push({ path: at(field), problem: `folder ${path.resolve(root, dir)} does not exist`, fix: `create it, or give the path relative to ${root}` });
    }
    for (const field of ["files", "tests", "solution"] as const) {
      for (const key of Object.keys(task[field] ?? {})) {
        try {
          resolveInside(root, key);
        } catch {
          issues.push({ path: `${at(field)}.${key}`, problem: "points outside the task directory", fix: 'use a relative path without ".."' });
        }
      }
    }
  });
  return issues;
}

interface BuildContext {
  suite: string;
  root: string;
  testCommand: string;
  timeoutMs: number;
  network: boolean;
}

async function buildTask(task: YamlTask, ctx: BuildContext): Promise<Task> {
  const start = await entriesOf(task.files, task.startDir, ctx.root);
  const tests = await entriesOf(task.tests, task.testsDir, ctx.root);
  const reference = task.solution || task.solutionDir ? await entriesOf(task.solution, task.solutionDir, ctx.root) : undefined;
  return {
    id: task.id,
    suite: ctx.suite,
    ...(task.tier ? { tier: task.tier } : {}),
    title: task.title ?? task.id,
    instructions: task.instructions,
    language: task.language ?? "javascript",
    testCommand: ctx.testCommand,
    timeoutMs: ctx.timeoutMs,
    ...(ctx.network ? { network: true } : {}),
    allowCommands: [ctx.testCommand.split(/\s+/)[0]],
    hiddenTestPaths: tests.map((t) => t.path),
    hasReference: reference !== undefined,
    files: entryTaskFiles({ start, tests, reference, hashSalt: `${ctx.testCommand}\n${ctx.timeoutMs}\n${task.instructions}${ctx.network ? "\nnetwork" : ""}` }),
  };
}

async function entriesOf(map: Record<string, string> | undefined, dir: string | undefined, root: string): Promise<FileEntry[]> {
  if (map) return Object.entries(map).map(([p, text]) => ({ path: p.replace(/\\/g, "/").replace(/^\.\//, ""), text }));
  if (dir) return listDirEntries(path.resolve(root, dir));
  return [];
}

function invalid(file: string, issues: YamlIssue[], doc?: Document, lines?: LineCounter): CladeError {
  const located = issues.map((issue) => ({ ...issue, line: doc && lines ? lineOf(doc, lines, issue.path) : undefined }));
  const text = located.map((i) => `  - ${i.path}${i.line ? ` (line ${i.line})` : ""}: ${i.problem}. Fix: ${i.fix}.`).join("\n");
  return new CladeError(
    "invalid-tasks",
    `${file} has ${issues.length} problem${issues.length === 1 ? "" : "s"}:\n${text}`,
    `Edit ${path.basename(file)} as listed above, then run \`clade tasks check --suite ${file}\`.`,
    { issues: located },
  );
}

/** Line of the YAML node at a path like "tasks[2].tests" (or of its nearest existing parent). */
function lineOf(doc: Document, lines: LineCounter, issuePath: string): number | undefined {
  const parts = [...issuePath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  for (let n = parts.length; n >= 0; n--) {
    const node = doc.getIn(parts.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}
