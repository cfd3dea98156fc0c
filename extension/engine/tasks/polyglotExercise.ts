// One Exercism / Aider-Polyglot exercise folder as a Task:
//   .docs/introduction.md, .docs/instructions.md, .docs/instructions.append.md  → instructions
//   .meta/config.json  files.solution (stubs = starting files), files.test (hidden), files.example
//   (or files.exemplar: the reference, copied over the solution paths in order).
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { CladeError } from "../../protocol/errors";
import { entryTaskFiles } from "./entryTaskFiles";
import type { FileEntry } from "./fileEntries";
import { listDirEntries } from "./fileEntries";
import { portableCommand } from "./jestShim";
import { polyglotTestCommand } from "./polyglotTestCommand";
import type { Task } from "./types";

const metaSchema = z.object({
  files: z.object({
    solution: z.array(z.string()).default([]),
    test: z.array(z.string()).min(1),
    example: z.array(z.string()).optional(),
    exemplar: z.array(z.string()).optional(),
  }),
});

const languageByExtension: Record<string, string> = {
  ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript", ".py": "python",
  ".go": "go", ".rs": "rust", ".java": "java", ".cpp": "cpp", ".cc": "cpp", ".h": "cpp", ".hpp": "cpp",
};

export interface ExerciseOptions {
  id: string;
  suite: string;
  /** Overrides the test command of every exercise. */
  testCommand?: string;
  timeoutMs?: number;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CladeError("invalid-tasks", `${file} is not valid JSON: ${(error as Error).message}.`, "Fix the JSON syntax of the exercise's .meta/config.json.");
  }
}

export async function loadExercise(dir: string, options: ExerciseOptions): Promise<Task> {
  const configFile = path.join(dir, ".meta", "config.json");
  const parsed = metaSchema.safeParse(parseJson(await fs.readFile(configFile, "utf8"), configFile));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CladeError("invalid-tasks", `${configFile}: files.${issue.path.slice(1).join(".")}: ${issue.message}.`, 'List the exercise files in .meta/config.json as {"files": {"solution": [...], "test": [...], "example": [...]}}.');
  }
  const files = parsed.data.files;
  const testPaths = files.test.map(normalize);
  const hidden = new Set(testPaths);
  const start = await listDirEntries(dir, {
    exclude: (rel, isDir) => hidden.has(rel) || (isDir && (rel === ".meta" || rel === ".docs" || rel === ".git" || rel === "node_modules" || rel.endsWith("/node_modules"))),
  });
  if (existsSync(path.join(dir, "node_modules"))) start.push({ path: "node_modules", link: path.join(dir, "node_modules") });
  const tests: FileEntry[] = testPaths.map((rel) => ({ path: rel, file: path.join(dir, rel) }));
  const absent = tests.find((t) => !existsSync(t.file!));
  if (absent) throw new CladeError("invalid-tasks", `Exercise ${dir}: its test file ${absent.path} (files.test in .meta/config.json) does not exist.`, "Restore the test file, or fix files.test in .meta/config.json.");
  const reference = referenceEntries(dir, files.solution.map(normalize), (files.example ?? files.exemplar ?? []).map(normalize));
  const language = languageOf([...files.solution, ...files.test]);
  const testCommand = options.testCommand ?? (await polyglotTestCommand(dir, language, testPaths));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const jsLike = language === "javascript" || language === "typescript";
  const instructions = await instructionsOf(dir, files.solution);
  return {
    id: options.id,
    suite: options.suite,
    title: await titleOf(dir),
    instructions,
    language,
    testCommand,
    timeoutMs,
    allowCommands: jsLike ? ["node"] : [],
    hiddenTestPaths: testPaths,
    hasReference: reference !== undefined,
    meta: { exercise: dir },
    files: entryTaskFiles({ start, tests, reference, transformTest: jsLike ? unskip : undefined, hashSalt: `${portableCommand(testCommand)}\n${timeoutMs}\n${instructions}` }),
  };
}

/** Scoring runs every case: Exercism's JavaScript tests skip all but the first with `xtest`. */
function unskip(_entry: FileEntry, content: Buffer): Buffer {
  return Buffer.from(content.toString("utf8").replace(/\bx(test|it)(\s*[.(])/g, "$1$2"), "utf8");
}

function referenceEntries(dir: string, solution: string[], example: string[]): FileEntry[] | undefined {
  if (example.length === 0 || solution.length === 0) return undefined;
  if (example.length !== solution.length) {
    throw new CladeError("invalid-tasks", `${dir}/.meta/config.json lists ${solution.length} solution file(s) but ${example.length} example file(s).`, "List one example file per solution file, in the same order.");
  }
  return example.map((from, i) => ({ path: solution[i], file: path.join(dir, from) }));
}

function normalize(rel: string): string {
  return rel.replace(/\\/g, "/").replace(/^\.\//, "");
}

function languageOf(files: readonly string[]): string {
  for (const file of files) {
    const language = languageByExtension[path.extname(file).toLowerCase()];
    if (language) return language;
  }
  return "unknown";
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

async function titleOf(dir: string): Promise<string> {
  const intro = (await readOptional(path.join(dir, ".docs", "instructions.md"))) ?? "";
  const heading = /^#\s+(.+)$/m.exec(intro);
  return heading ? heading[1].trim() : path.basename(dir);
}

async function instructionsOf(dir: string, solution: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const name of ["introduction.md", "instructions.md", "instructions.append.md"]) {
    const text = await readOptional(path.join(dir, ".docs", name));
    if (text?.trim()) parts.push(text.trim());
  }
  if (parts.length === 0) {
    throw new CladeError("invalid-tasks", `Exercise ${dir} has no .docs/instructions.md.`, "Add .docs/instructions.md describing the exercise.");
  }
  if (solution.length > 0) parts.push(`Write your solution in: ${solution.map((s) => `\`${s}\``).join(", ")}.`);
  return parts.join("\n\n");
}
