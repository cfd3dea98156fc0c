// Mining tasks from a real git repository made in a temp folder: only commits whose changed tests
// fail on the parent and pass at the commit become tasks, with the right hidden tests.
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { simpleGit } from "simple-git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { checkTask, listTasks, makeScratchDir, materializeTask, openSuite, scoreTask, type Task } from "../../extension/engine/tasks";

let repo: string;
let cacheDir: string;
const shas: Record<string, string> = {};

const testFile = (imports: string, body: string): string => `import test from "node:test";\nimport assert from "node:assert/strict";\n${imports}\n${body}\n`;

async function commit(files: Record<string, string | null>, message: string, name: string): Promise<void> {
  const git = simpleGit(repo);
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(repo, file);
    if (content === null) {
      await git.rm(file);
      continue;
    }
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
    await git.add(file);
  }
  await git.commit(message);
  shas[name] = (await git.revparse(["HEAD"])).trim();
}

beforeAll(async () => {
  repo = await fs.mkdtemp(path.join(os.tmpdir(), "clade-mine-"));
  cacheDir = path.join(repo, "..", `${path.basename(repo)}-cache`);
  const git = simpleGit(repo);
  await git.init();
  await git.addConfig("user.name", "Clade Test");
  await git.addConfig("user.email", "test@clade.invalid");
  await git.addConfig("commit.gpgsign", "false");
  const mathV1 = "export const add = (a, b) => a + b;\n";
  const mathTestV1 = testFile('import { add } from "../src/math.mjs";', 'test("add", () => assert.equal(add(2, 3), 5));');
  await commit({ "src/math.mjs": mathV1, "test/math.test.mjs": mathTestV1 }, "Add add()", "root");

  const mathV2 = mathV1 + "export const multiply = (a, b) => a * b;\n";
  const mathTestV2 = testFile('import { add, multiply } from "../src/math.mjs";', 'test("add", () => assert.equal(add(2, 3), 5));\ntest("multiply", () => assert.equal(multiply(4, 5), 20));');
  await commit({ "src/math.mjs": mathV2, "test/math.test.mjs": mathTestV2 }, "Add multiply()\n\nMultiplication of two numbers.", "multiply");

  await commit({ "README.md": "# math\n" }, "Document the project", "docs");
  await commit({ "test/math.test.mjs": mathTestV2 + 'test("add zero", () => assert.equal(add(7, 0), 7));\n' }, "More tests for add", "testsOnly");
  // Source and test change whose new test passes on the parent too: not a task.
  await commit({ "src/math.mjs": "// Small arithmetic helpers.\n" + mathV2, "test/math.test.mjs": mathTestV2 + 'test("add negative", () => assert.equal(add(-1, -1), -2));\n' }, "Comment and cover negatives", "alreadyPasses");

  // Two test files change: only the new one fails on the parent, so only it is hidden.
  const mathV3 = "// Small arithmetic helpers.\n" + mathV2 + "export const subtract = (a, b) => a - b;\n";
  await commit({
    "src/math.mjs": mathV3,
    "test/subtract.test.mjs": testFile('import { subtract } from "../src/math.mjs";', 'test("subtract", () => assert.equal(subtract(9, 4), 5));'),
    "test/math.test.mjs": mathTestV2 + 'test("add negative", () => assert.equal(add(-1, -1), -2));\ntest("add large", () => assert.equal(add(1e6, 1), 1000001));\n',
  }, "Add subtract()", "subtract");

  // A commit whose own tests fail: not a task.
  await commit({ "src/math.mjs": mathV3 + "export const divide = (a, b) => a * b;\n", "test/divide.test.mjs": testFile('import { divide } from "../src/math.mjs";', 'test("divide", () => assert.equal(divide(8, 2), 4));') }, "Add divide() (broken)", "broken");
  await commit({ "src/math.mjs": mathV3 + "export const divide = (a, b) => a / b;\n" }, "Fix divide()", "fixDivide");
  // A rename/delete of a source file with a test: the reference must apply the deletion.
  await commit({
    "src/math.mjs": null,
    "src/arith.mjs": mathV3 + "export const divide = (a, b) => a / b;\n",
    "test/math.test.mjs": mathTestV2.replace("../src/math.mjs", "../src/arith.mjs"),
    "test/subtract.test.mjs": testFile('import { subtract } from "../src/arith.mjs";', 'test("subtract", () => assert.equal(subtract(9, 4), 5));'),
    "test/divide.test.mjs": testFile('import { divide } from "../src/arith.mjs";', 'test("divide", () => assert.equal(divide(8, 2), 4));'),
  }, "Rename math.mjs to arith.mjs", "rename");
});

afterAll(async () => {
  await fs.rm(repo, { recursive: true, force: true });
  await fs.rm(cacheDir, { recursive: true, force: true });
});

describe("repo:PATH suite", () => {
  let tasks: Task[];

  it("mines exactly the commits whose tests fail before and pass after", async () => {
    const progress: string[] = [];
    tasks = await openSuite(`repo:${repo}`, { testCommand: "node --test", cacheDir, onProgress: (p) => progress.push(`${p.item}: ${p.message}`) }).list();
    const commits = tasks.map((t) => t.meta?.commit);
    expect(commits).toEqual([shas.rename, shas.subtract, shas.multiply]);
    expect(progress.some((line) => line.includes("Comment and cover negatives: the commit's tests already pass on its parent"))).toBe(true);
    expect(progress.some((line) => line.includes("Add divide() (broken): the tests fail at the commit itself"))).toBe(true);
    expect(progress.join("\n")).not.toMatch(/Document the project|More tests for add/);
  });

  it("says which candidate commits were not made tasks, and why (with the end of the failing output)", async () => {
    const suite = openSuite(`repo:${repo}`, { testCommand: "node --test", cacheDir: path.join(cacheDir, "fresh"), maxCommits: 50 });
    await suite.list();
    const skipped = suite.skipped!();
    expect(skipped.map((s) => s.item)).toEqual(expect.arrayContaining([`${shas.broken.slice(0, 8)} Add divide() (broken)`, `${shas.alreadyPasses.slice(0, 8)} Comment and cover negatives`]));
    const broken = skipped.find((s) => s.item.includes("(broken)"))!;
    expect(broken.reason).toBe("the tests fail at the commit itself (failing: divide)");
    expect((await listTasks(`repo:${repo}`, { testCommand: "node --test", cacheDir })).skipped.length).toBe(skipped.length);
  });

  it("in a shallow clone, says that the oldest commit cannot be mined instead of finding nothing", async () => {
    const clone = await fs.mkdtemp(path.join(os.tmpdir(), "clade-shallow-"));
    try {
      await simpleGit().clone(`file://${repo}`, clone, ["--depth", "1", "-q"]);
      const suite = openSuite(`repo:${clone}`, { testCommand: "node --test", cacheDir: path.join(clone, ".cache") });
      expect(await suite.list()).toEqual([]);
      expect(suite.skipped!()).toEqual([{ item: `${shas.rename.slice(0, 8)} Rename math.mjs to arith.mjs`, reason: expect.stringContaining("shallow clone") }]);
    } finally {
      await fs.rm(clone, { recursive: true, force: true });
    }
  });

  it("describes the multiply commit as a task with its failing tests named", async () => {
    const task = tasks.find((t) => t.meta?.commit === shas.multiply)!;
    expect(task.id).toBe(`${shas.multiply.slice(0, 8)}-add-multiply`);
    expect(task.title).toBe("Add multiply()");
    expect(task.instructions).toContain("Multiplication of two numbers.");
    expect(task.hiddenTestPaths).toEqual(["test/math.test.mjs"]);
    // The new import fails the whole file on the parent, so both of its tests count.
    expect(task.meta?.failToPass).toEqual(["add", "multiply"]);
    expect(task.instructions).toContain("- multiply");
    expect(task.language).toBe("javascript");
  });

  it("hides only the test file that fails on the parent; the other starts at the commit's version", async () => {
    const task = tasks.find((t) => t.meta?.commit === shas.subtract)!;
    expect(task.hiddenTestPaths).toEqual(["test/subtract.test.mjs"]);
    expect(task.meta?.failToPass).toEqual(["subtract"]);
    const dir = await makeScratchDir("it");
    try {
      await materializeTask(task, dir.path);
      expect(existsSync(path.join(dir.path, "test/subtract.test.mjs"))).toBe(false);
      expect(await fs.readFile(path.join(dir.path, "test/math.test.mjs"), "utf8")).toContain("add large");
      expect(await fs.readFile(path.join(dir.path, "src/math.mjs"), "utf8")).not.toContain("subtract");
      expect((await scoreTask(task, dir.path)).passed).toBe(false);
    } finally {
      await dir.dispose();
    }
  });

  it("every mined task checks valid, including the one whose reference deletes a file", async () => {
    for (const task of tasks) {
      const result = await checkTask(task);
      expect(result.problems.join("\n"), task.id).toBe("");
      expect(result.valid).toBe(true);
    }
  });

  it("reuses cached verdicts and gives the same task-set hash", async () => {
    expect(existsSync(cacheDir)).toBe(true);
    const started = Date.now();
    const listing = await listTasks(`repo:${repo}`, { testCommand: "node --test", cacheDir });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(listing.tasks.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
    expect(listing.hash).toBe(await openSuite(`repo:${repo}`, { testCommand: "node --test", cacheDir }).hash());
    const limited = await openSuite(`repo:${repo}`, { testCommand: "node --test", cacheDir, maxTasks: 1 }).list();
    expect(limited.map((t) => t.meta?.commit)).toEqual([shas.rename]);
  });

  it("reads the test command from .clade/config.yaml and fails clearly without one", async () => {
    await expect(openSuite(`repo:${repo}`).list()).rejects.toSatisfy((e) => CladeError.is(e, "test-command-missing") && /--test-command/.test((e as CladeError).fix));
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), "clade-ws-"));
    try {
      await fs.mkdir(path.join(workspace, ".clade"));
      await fs.writeFile(path.join(workspace, ".clade", "config.yaml"), "testCommand: node --test\n");
      const fromConfig = await openSuite(`repo:${repo}`, { workspace, cacheDir }).list();
      expect(fromConfig.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
      expect(fromConfig[0].testCommand).toBe("node --test");
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });

  it("rejects a folder that is not a git repository", async () => {
    const dir = await makeScratchDir("it");
    try {
      await expect(openSuite(`repo:${dir.path}`, { testCommand: "node --test" }).list()).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    } finally {
      await dir.dispose();
    }
  });
});
