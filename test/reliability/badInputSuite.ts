// Bad input suite: model files, settings, task sources, repositories in odd states and malformed
// model output. Each case records the exact message the user sees; a case is handled when the
// engine answers with a CladeError (message + fix) or a graceful result — never a crash or a raw
// exception — and the archive in the workspace is untouched at the end.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Archive } from "../../extension/engine/archive/archive";
import { CladeError } from "../../extension/protocol/errors";
import { openSuite } from "../../extension/engine/tasks/openSuite";
import { validateModelSettings, settingsError, type RawModelSettings } from "../../extension/vscode/model/modelSettings";
import { sessionParams, type RawSessionSettings } from "../../extension/vscode/session/sessionSettings";
import { modelCases } from "./badInputModels";
import { modelOutputCases } from "./badInputOutput";
import { repoCases } from "./badInputRepos";
import { SuiteReport, userMessage } from "./suiteReport";

const report = new SuiteReport("badInput");
const work = mkdtempSync(path.join(os.tmpdir(), "clade-badinput-"));
const workspace = path.join(work, "workspace");
mkdirSync(workspace);
const archive = await Archive.open(workspace, { create: true });
await archive.dispose();
const logBefore = readFileSync(path.join(workspace, ".clade", "archive.jsonl"));

/** Handled: a CladeError (with a fix) or a value; anything else thrown is a crash of that path. */
export async function expectHandled(report: SuiteReport, name: string, run: () => Promise<unknown>, accept?: (value: unknown) => string | null): Promise<void> {
  await report.attempt(name, async () => {
    try {
      const value = await run();
      const problem = accept ? accept(value) : "it was accepted without a message";
      return problem === null ? { ok: true, detail: `accepted: ${JSON.stringify(value).slice(0, 200)}` } : { ok: false, detail: problem };
    } catch (error) {
      return { ok: CladeError.is(error) && error.fix.length > 0, detail: userMessage(error) };
    }
  });
}

await modelCases(report, work, expectHandled);

// Settings: every setting with a wrong type or an out-of-range value.
const modelSettings: [string, RawModelSettings][] = [
  ["clade.model.path: a number", { path: 42 }],
  ["clade.model.path: empty", { path: "" }],
  ["clade.model.path: a relative path", { path: "models/x.gguf" }],
  ["clade.model.gpu: unknown backend", { path: "/m.gguf", gpu: "tpu" }],
  ["clade.model.gpuLayers: below -1", { path: "/m.gguf", gpuLayers: -5 }],
  ["clade.model.gpuLayers: a string", { path: "/m.gguf", gpuLayers: "all" }],
  ["clade.model.contextSize: below 256", { path: "/m.gguf", contextSize: 100 }],
  ["clade.model.contextSize: a fraction", { path: "/m.gguf", contextSize: 2.5 }],
  ["clade.model.threads: negative", { path: "/m.gguf", threads: -1 }],
  ["clade.model.threads: above 256", { path: "/m.gguf", threads: 999 }],
  ["clade.model.sequences: negative", { path: "/m.gguf", sequences: -1 }],
  ["clade.model.sequences: above 64", { path: "/m.gguf", sequences: 100 }],
  ["clade.model.contextSize: too few tokens per sequence for an agent turn", { path: "/m.gguf", contextSize: 200, sequences: 4 }],
];
for (const [name, raw] of modelSettings) {
  await expectHandled(report, `setting ${name}`, async () => {
    const { spec, problems } = validateModelSettings(raw);
    if (problems.length) throw settingsError(problems);
    return spec;
  });
}
const sessionSettings: [string, RawSessionSettings][] = [
  ["clade.session.strategy: unknown", { strategy: "best" }],
  ["clade.session.budgetEvaluations: 0", { budgetEvaluations: 0 }],
  ["clade.session.budgetTokens: negative", { budgetTokens: -1 }],
  ["clade.session.budgetMinutes: a string", { budgetMinutes: "ten" }],
  ["clade.session.budgetExpansions: a fraction", { budgetExpansions: 1.5 }],
  ["clade.session.parallel: 0", { parallel: 0 }],
  ["clade.session.parallel: above 64", { parallel: 1000 }],
  ["clade.session.seed: negative", { seed: -1 }],
  ["clade.session.gateTasks: below -1", { gateTasks: -2 }],
  ["clade.agent.maxTurns: negative", { maxTurns: -1 }],
  ["clade.agent.maxTokens: a string", { maxTokens: "lots" }],
  ["clade.agent.timeoutSeconds: negative", { timeoutSeconds: -5 }],
  ["clade.agent.commandTimeoutSeconds: a boolean", { commandTimeoutSeconds: true }],
  ["clade.sandbox.mode: unknown", { sandbox: "docker" }],
  ["clade.tests.command: a number", { testCommand: 5 }],
  ["clade.session.suite: a number", { suite: 7 }],
];
for (const [name, raw] of sessionSettings) {
  await expectHandled(report, `setting ${name}`, async () => sessionParams(raw, {}, workspace, true), (value) => {
    const params = value as ReturnType<typeof sessionParams>;
    // A wrong type for a free-text setting falls back to the default: accepted, and said so.
    if (name.includes("tests.command") && params.testCommand === undefined) return null;
    if (name.includes("session.suite") && params.suite === "builtin") return null;
    return `accepted without a message: ${JSON.stringify(value).slice(0, 160)}`;
  });
}

// Task sources: tasks.yaml and Polyglot folders with missing or malformed parts.
const fixtures = path.resolve("test", "fixtures");
const yamlFile = (name: string, text: string): string => {
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
};
const taskSources: [string, () => string][] = [
  ["tasks.yaml: YAML syntax error", () => path.join(fixtures, "tasks-yaml", "bad-syntax.yaml")],
  ["tasks.yaml: fields of the wrong type", () => path.join(fixtures, "tasks-yaml", "bad-fields.yaml")],
  ["tasks.yaml: a task without a test command", () => path.join(fixtures, "tasks-yaml", "no-command.yaml")],
  ["tasks.yaml: missing file", () => path.join(work, "absent.yaml")],
  ["tasks.yaml: empty file", () => yamlFile("empty", "")],
  ["tasks.yaml: tasks is not a list", () => yamlFile("notlist", "tasks: 5\n")],
  ["tasks.yaml: duplicate task ids", () => yamlFile("dup", "testCommand: node --test\ntasks:\n  - id: a\n    instructions: x\n    tests: { t.test.mjs: '' }\n  - id: a\n    instructions: y\n    tests: { t.test.mjs: '' }\n")],
  ["tasks.yaml: a file path escaping the task (../)", () => yamlFile("escape", "testCommand: node --test\ntasks:\n  - id: a\n    instructions: x\n    files: { ../../evil.txt: 'x' }\n    tests: { t.test.mjs: '' }\n")],
  ["Polyglot: folder without exercises", () => mkdtempSync(path.join(work, "poly-empty-"))],
  ["Polyglot: exercise without .meta/config.json", () => polyglotWith(() => undefined, (dir) => path.join(dir, ".meta", "config.json"))],
  ["Polyglot: .meta/config.json is not JSON", () => polyglotWith((dir) => writeFileSync(path.join(dir, ".meta", "config.json"), "{ not json"))],
  ["Polyglot: exercise without its test file", () => polyglotWith(() => undefined, (dir) => path.join(dir, "hex-color.spec.js"))],
  ["Polyglot: exercise without instructions (.docs)", () => polyglotWith(() => undefined, (dir) => path.join(dir, ".docs"))],
];
for (const [name, source] of taskSources) {
  await expectHandled(report, name, async () => {
    const suite = openSuite(name.startsWith("Polyglot") ? `polyglot:${source()}` : source(), { workspace });
    try {
      const tasks = await suite.list();
      return { tasks: tasks.length };
    } finally {
      suite.dispose();
    }
  }, (value) => {
    const v = value as { tasks: number };
    // A folder without .meta/config.json is not an exercise (the documented layout): skipped, the others listed.
    if (name.includes("without .meta/config.json") && v.tasks > 0) return null;
    return `listed ${v.tasks} task(s) without reporting a problem`;
  });
}

await repoCases(report, work, workspace, expectHandled);
await modelOutputCases(report, work);

// The archive in the workspace took none of it.
const after = await Archive.open(workspace, { readOnly: true });
const problems = await after.check();
await after.dispose();
const logAfter = readFileSync(path.join(workspace, ".clade", "archive.jsonl"));
report.add("the workspace's archive is untouched after all bad inputs", logBefore.equals(logAfter) && problems.length === 0, `log ${logBefore.equals(logAfter) ? "byte-identical" : "CHANGED"}, ${problems.length} problem(s)`);
report.figures.tried = report.cases.length;
report.figures.handled = report.cases.filter((c) => c.ok).length;
report.print();

function polyglotWith(change: (exerciseDir: string) => void, remove?: (exerciseDir: string) => string): string {
  const root = mkdtempSync(path.join(work, "poly-"));
  cpSync(path.join(fixtures, "polyglot"), root, { recursive: true });
  const exercise = path.join(root, "javascript", "exercises", "practice", "hex-color");
  change(exercise);
  if (remove) {
    const target = remove(exercise);
    rmSync(target, { recursive: true, force: true }); // in the copy only

  }
  return root;
}
