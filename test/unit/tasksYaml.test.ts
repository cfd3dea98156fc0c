// tasks.yaml: a good file loads; every bad field is reported with its path, the problem and a fix.
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { openSuite } from "../../extension/engine/tasks";

const fixtures = path.resolve(__dirname, "../fixtures/tasks-yaml");

async function errorOf(promise: Promise<unknown>): Promise<CladeError> {
  try {
    await promise;
  } catch (error) {
    if (CladeError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a CladeError");
}

describe("tasks.yaml suite", () => {
  it("loads inline and folder tasks", async () => {
    const suite = openSuite(path.join(fixtures, "good", "tasks.yaml"));
    expect(suite.kind).toBe("yaml");
    const tasks = await suite.list();
    expect(tasks.map((t) => t.id)).toEqual(["greet-inline", "sum-dirs"]);
    const [greet, sum] = tasks;
    expect(greet.title).toBe("Greeting with a name");
    expect(greet.testCommand).toBe("node --test");
    expect(greet.hiddenTestPaths).toEqual(["test/greet.test.mjs"]);
    expect(sum.title).toBe("sum-dirs");
    expect(sum.timeoutMs).toBe(20000);
    expect(sum.hiddenTestPaths).toEqual(["test/sum.test.mjs"]);
    expect(sum.hasReference).toBe(true);
  });

  it("a suite may opt in to the network (network: true); off by default; the opt-in is part of the tasks' hash", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "clade-yaml-net-"));
    const body = (network: string) => `testCommand: node --test\n${network}tasks:\n  - id: t\n    instructions: do it\n    files: { "a.mjs": "export const a = 1;\\n" }\n    tests: { "test/a.test.mjs": "import test from 'node:test';\\ntest('a', () => {});\\n" }\n`;
    await fs.writeFile(path.join(dir, "off.yaml"), body(""));
    await fs.writeFile(path.join(dir, "on.yaml"), body("network: true\n"));
    const off = openSuite(path.join(dir, "off.yaml"));
    const on = openSuite(path.join(dir, "on.yaml"));
    expect((await off.list())[0]!.network).toBeUndefined();
    expect((await on.list())[0]!.network).toBe(true);
    expect(await on.hash()).not.toBe(await off.hash());
    await fs.writeFile(path.join(dir, "bad.yaml"), body("network: yes please\n"));
    const bad = await errorOf(openSuite(path.join(dir, "bad.yaml")).list());
    expect(bad.message + bad.fix).toMatch(/network/);
  });

  it("names every bad field with what is wrong and how to fix it", async () => {
    const error = await errorOf(openSuite(path.join(fixtures, "bad-fields.yaml")).list());
    expect(error.reason).toBe("invalid-tasks");
    const text = error.message;
    expect(text).toMatch(/tasks\[1\]\.instructions \(line \d+\): must be a string\. Fix: write what the agent should do/);
    expect(text).toMatch(/tasks\[1\]\.files \(line \d+\): must be a map/);
    expect(text).toMatch(/tasks\[1\]\.timeoutMs \(line \d+\): must be greater than 0/);
    // Tasks whose shape is right are still checked for the rest: missing tests, duplicate ids, paths.
    expect(text).toMatch(/tasks\[0\]\.tests \(line \d+\): is missing\. Fix: add "tests"/);
    expect(text).toMatch(/tasks\[3\]\.id \(line \d+\): "no-tests" is already used by tasks\[0\]/);
    expect(text).toMatch(/tasks\[3\]\.tests\.\.\.\/outside\.test\.mjs.*points outside the task directory/);
    expect(text.indexOf("tasks[0]")).toBeLessThan(text.indexOf("tasks[1]"));
    expect(text).toMatch(/tasks\[2\]\.id \(line \d+\): is missing\. Fix: give the task a short unique id/);
    expect(text).toMatch(/tasks\[2\] \(line \d+\): has unknown field\(s\) "colour"\. Fix: remove or rename them; allowed fields: id, title, instructions/);
    const issues = (error.details?.issues ?? []) as Array<{ path: string }>;
    expect(issues.length).toBe(8);
  });

  it("reports semantic problems (missing tests, duplicate ids, escaping paths) once the shape is right", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "clade-yaml-"));
    try {
      const file = path.join(dir, "tasks.yaml");
      await fs.writeFile(file, [
        "testCommand: node --test",
        "tasks:",
        "  - id: a",
        "    instructions: no tests",
        "  - id: a",
        "    instructions: duplicate and escaping",
        "    tests: { '../x.test.mjs': '' }",
        "    startDir: missing-folder",
      ].join("\n"));
      const error = await errorOf(openSuite(file).list());
      expect(error.message).toMatch(/tasks\[0\]\.tests \(line 3\): is missing\. Fix: add "tests"/);
      expect(error.message).toMatch(/tasks\[1\]\.id \(line 5\): "a" is already used by tasks\[0\]/);
      expect(error.message).toMatch(/tasks\[1\]\.tests\.\.\.\/x\.test\.mjs.*: points outside the task directory/);
      expect(error.message).toMatch(/tasks\[1\]\.startDir \(line 8\): folder .*missing-folder does not exist/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("reports YAML syntax errors with a line number", async () => {
    const error = await errorOf(openSuite(path.join(fixtures, "bad-syntax.yaml")).list());
    expect(error.reason).toBe("invalid-tasks");
    expect(error.message).toMatch(/line \d+, column \d+/);
  });

  it("needs a test command from the task, the file, the options or .clade/config.yaml", async () => {
    const file = path.join(fixtures, "no-command.yaml");
    const error = await errorOf(openSuite(file).list());
    expect(error.message).toMatch(/tasks\[0\]\.testCommand \(line \d+\): is missing/);
    const tasks = await openSuite(file, { testCommand: "node --test test/" }).list();
    expect(tasks[0].testCommand).toBe("node --test test/");

    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), "clade-ws-"));
    try {
      await fs.mkdir(path.join(workspace, ".clade"));
      await fs.writeFile(path.join(workspace, ".clade", "config.yaml"), "testCommand: npm test\n");
      await fs.copyFile(file, path.join(workspace, ".clade", "tasks.yaml"));
      const suite = openSuite("yaml", { workspace });
      expect(suite.id).toBe(`yaml:${path.join(workspace, ".clade", "tasks.yaml")}`);
      expect((await suite.list())[0].testCommand).toBe("npm test");
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });

  it("says clearly when the file is missing or no workspace is given", async () => {
    expect((await errorOf(openSuite(path.join(fixtures, "nope.yaml")).list())).reason).toBe("invalid-argument");
    expect(() => openSuite("yaml")).toThrow(/no workspace was given/);
  });
});
