// The schema of a user's tasks.yaml and the wording of its errors: every problem names the field
// (tasks[2].tests), what is wrong, and how to fix it.
import { z } from "zod";

const fileMap = z.record(z.string(), z.string());

export const yamlTaskSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][\w.-]*$/),
  title: z.string().min(1).optional(),
  instructions: z.string().min(1),
  language: z.string().min(1).optional(),
  files: fileMap.optional(),
  startDir: z.string().min(1).optional(),
  tests: fileMap.optional(),
  testsDir: z.string().min(1).optional(),
  solution: fileMap.optional(),
  solutionDir: z.string().min(1).optional(),
  testCommand: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
  tier: z.enum(["T0", "T1", "T2"]).optional(),
});

export const tasksYamlSchema = z.strictObject({
  /** Folder that relative paths start from (default: see yamlSuite.ts). */
  root: z.string().min(1).optional(),
  testCommand: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** The suite's commands may use the network (e.g. a package install); default: a private loopback only. */
  network: z.boolean().optional(),
  tasks: z.array(yamlTaskSchema).min(1),
});

export type YamlTask = z.infer<typeof yamlTaskSchema>;
export type TasksYaml = z.infer<typeof tasksYamlSchema>;

export interface YamlIssue {
  /** e.g. "tasks[2].tests" */
  path: string;
  problem: string;
  fix: string;
}

const hints: Record<string, string> = {
  id: 'give the task a short unique id such as "fix-parser" (letters, digits, ".", "_", "-")',
  title: "a one-line title, or leave the field out",
  instructions: "write what the agent should do, e.g. `instructions: |` followed by indented text",
  language: 'a language name such as "javascript", or leave the field out',
  files: "a map from file path to file content (the starting files)",
  startDir: "a folder with the starting files, relative to the tasks file's root",
  tests: "a map from test file path to its content (the hidden tests)",
  testsDir: "a folder with the hidden tests, relative to the tasks file's root",
  solution: "a map from file path to content written over the starting files (the reference solution)",
  solutionDir: "a folder with the reference solution's files",
  testCommand: 'the shell command that runs the tests, e.g. "node --test"',
  timeoutMs: "a whole number of milliseconds greater than 0, e.g. 60000",
  network: "true or false (true: the suite's commands may use the network)",
  tier: 'one of "T0", "T1", "T2", or leave the field out',
  tasks: "a list of tasks, each starting with `- id: ...`",
  root: "a folder path",
};

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || "(top level)";
}

function hintFor(path: readonly PropertyKey[]): string {
  const named = [...path].reverse().find((p) => typeof p === "string" && p in hints);
  return named ? hints[named as string] : "see the tasks.yaml format in the Clade README";
}

export function describeZodIssue(issue: z.core.$ZodIssue): YamlIssue {
  const path = formatPath(issue.path);
  const fix = hintFor(issue.path);
  switch (issue.code) {
    case "invalid_type":
      return { path, problem: "input" in issue && issue.input === undefined ? "is missing" : `must be ${article(issue.expected)}`, fix };
    case "unrecognized_keys":
      return { path, problem: `has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`, fix: `remove or rename them; allowed fields: ${allowedFields(issue.path)}` };
    case "too_small":
      if (issue.origin === "array" || issue.origin === "string") return { path, problem: "is empty", fix };
      return { path, problem: `must be ${issue.inclusive ? "at least" : "greater than"} ${String(issue.minimum)}`, fix };
    case "invalid_format":
      return { path, problem: "has an invalid format", fix };
    case "invalid_value":
      return { path, problem: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`, fix };
    default:
      return { path, problem: issue.message, fix };
  }
}

function article(expected: string): string {
  if (expected === "record" || expected === "object") return "a map (key: value lines)";
  if (expected === "array") return "a list";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function allowedFields(path: readonly PropertyKey[]): string {
  const shape = path.length === 0 ? tasksYamlSchema.shape : yamlTaskSchema.shape;
  return Object.keys(shape).join(", ");
}
