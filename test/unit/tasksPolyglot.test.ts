// Exercism / Aider-Polyglot folders: discovery, ids, instructions, test commands, hidden tests and
// the xtest → test rewrite at scoring time. (Running them: test/integration/tasksCheck.test.ts.)
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { installHiddenTests, makeScratchDir, materializeTask, openSuite, type ScratchDir } from "../../extension/engine/tasks";
import { exerciseId } from "../../extension/engine/tasks/polyglotSuite";

const fixtures = path.resolve(__dirname, "../fixtures/polyglot");
const scratches: ScratchDir[] = [];
afterEach(async () => {
  await Promise.all(scratches.splice(0).map((s) => s.dispose()));
});

describe("polyglot suite", () => {
  it("finds the fixture exercises with language-prefixed ids", async () => {
    const suite = openSuite(fixtures);
    expect(suite.kind).toBe("polyglot");
    expect(suite.id).toBe(`polyglot:${fixtures}`);
    const ids = (await suite.list()).map((t) => t.id);
    expect(ids).toEqual(["javascript/grade-book", "javascript/hex-color", "javascript/shopping-list", "javascript/tally"]);
    expect(exerciseId("/x", "/x/python/exercises/practice/two-fer")).toBe("python/two-fer");
  });

  it("builds instructions from introduction, instructions and append, and names the solution file", async () => {
    const suite = openSuite(fixtures);
    const grade = (await suite.get("javascript/grade-book"))!;
    expect(grade.instructions.indexOf("A teacher keeps grades")).toBeLessThan(grade.instructions.indexOf("# Grade Book"));
    expect(grade.instructions).toContain("`grade-book.js`");
    const hex = (await suite.get("javascript/hex-color"))!;
    expect(hex.title).toBe("Hex Color");
    expect(hex.instructions).toContain("rounded to the nearest integer");
  });

  it("respects a package.json test script that runs offline and falls back to the Jest shim otherwise", async () => {
    const suite = openSuite(fixtures);
    expect((await suite.get("javascript/shopping-list"))!.testCommand).toBe("node --test");
    const tally = (await suite.get("javascript/tally"))!;
    expect(tally.testCommand).toMatch(/^node --import file:\/\/\S+register\.mjs --test tally\.spec\.js$/);
    const shim = new URL(tally.testCommand.split(" ")[2]);
    expect(existsSync(shim)).toBe(true);
  });

  it("starts from the stubs without .meta, .docs or tests; scoring installs the tests with xtest → test", async () => {
    const task = (await openSuite(fixtures).get("javascript/tally"))!;
    const dir = await makeScratchDir("unit");
    scratches.push(dir);
    await materializeTask(task, dir.path);
    expect((await fs.readdir(dir.path)).sort()).toEqual(["package.json", "tally.js"]);
    await installHiddenTests(task, dir.path);
    const spec = await fs.readFile(path.join(dir.path, "tally.spec.js"), "utf8");
    expect(spec).not.toMatch(/\bxtest\(/);
    expect(spec.match(/\btest\(/g)?.length).toBe(5);
  });

  it("reports a missing folder and a folder without exercises", async () => {
    expect(() => openSuite(path.join(fixtures, "does-not-exist"))).toThrow(/Unknown task suite/);
    await expect(openSuite(`polyglot:${path.join(fixtures, "does-not-exist")}`).list()).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    await expect(openSuite(`polyglot:${path.resolve(__dirname, "../fixtures/tasks-yaml/good/tasks")}`).list()).rejects.toSatisfy((e) => CladeError.is(e, "invalid-tasks"));
  });
});
