// Runs real test commands: every built-in task, polyglot fixture and tasks.yaml fixture is valid
// (reference passes, starting state fails), and scoreTask scores a directory by its hidden tests.
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { applyReference, checkSuite, listTasks, makeScratchDir, materializeTask, openSuite, scoreTask, type CheckResult, type ScratchDir } from "../../extension/engine/tasks";

const fixtures = path.resolve(__dirname, "../fixtures");
const scratches: ScratchDir[] = [];
afterEach(async () => {
  await Promise.all(scratches.splice(0).map((s) => s.dispose()));
});

function describeInvalid(results: CheckResult[]): string {
  return results.filter((r) => !r.valid).map((r) => `${r.id}: ${r.problems.join(" | ")}`).join("\n");
}

describe("checkSuite", () => {
  it("reports every built-in task valid", async () => {
    const progress: number[] = [];
    const check = await checkSuite("builtin", {}, { onProgress: (p) => progress.push(p.done) });
    expect(describeInvalid(check.tasks)).toBe("");
    expect(check.tasks.length).toBeGreaterThanOrEqual(40);
    expect(check.valid).toBe(check.tasks.length);
    expect(check.invalid).toBe(0);
    expect(check.tasks.every((r) => r.referencePasses && r.startFails)).toBe(true);
    expect(check.hash).toBe(await openSuite("builtin").hash());
    expect(progress.at(-1)).toBe(check.tasks.length);
  });

  it("stops promptly with a cancelled CladeError when aborted", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const checking = checkSuite("builtin", {}, { signal: controller.signal, onProgress: (p) => seen.push(p.done) });
    setTimeout(() => controller.abort(), 400);
    await expect(checking).rejects.toSatisfy((e) => CladeError.is(e, "cancelled"));
    expect(seen.at(-1)).toBeLessThan(40);
  });

  it("reports every polyglot fixture valid (Jest shim, CommonJS, ESM-in-.js and a node --test script)", async () => {
    const check = await checkSuite(path.join(fixtures, "polyglot"));
    expect(describeInvalid(check.tasks)).toBe("");
    expect(check.tasks.map((r) => r.id)).toEqual(["javascript/grade-book", "javascript/hex-color", "javascript/shopping-list", "javascript/tally"]);
    expect(check.valid).toBe(4);
  });

  it("reports the tasks.yaml fixture valid and lists it as summaries", async () => {
    const file = path.join(fixtures, "tasks-yaml", "good", "tasks.yaml");
    const check = await checkSuite(file);
    expect(describeInvalid(check.tasks)).toBe("");
    expect(check.valid).toBe(2);
    const listing = await listTasks(file);
    expect(listing.kind).toBe("yaml");
    expect(listing.hash).toBe(check.hash);
    expect(listing.tasks.map((t) => t.id)).toEqual(["greet-inline", "sum-dirs"]);
  });

  it("flags a task whose starting state already passes or whose reference fails", async () => {
    const dir = await makeScratchDir("it");
    scratches.push(dir);
    const file = path.join(dir.path, "tasks.yaml");
    const test = 'import test from "node:test"; import assert from "node:assert/strict"; import { v } from "../v.mjs"; test("v", () => assert.equal(v, 2));';
    await fs.writeFile(file, JSON.stringify({
      testCommand: "node --test",
      tasks: [
        { id: "already-passes", instructions: "Nothing to do.", files: { "v.mjs": "export const v = 2;" }, tests: { "test/v.test.mjs": test }, solution: { "v.mjs": "export const v = 2;" } },
        { id: "bad-reference", instructions: "Set v to 2.", files: { "v.mjs": "export const v = 1;" }, tests: { "test/v.test.mjs": test }, solution: { "v.mjs": "export const v = 3;" } },
        { id: "no-reference", instructions: "Set v to 2.", files: { "v.mjs": "export const v = 1;" }, tests: { "test/v.test.mjs": test } },
      ],
    }));
    const check = await checkSuite(file);
    const byId = Object.fromEntries(check.tasks.map((r) => [r.id, r]));
    expect(byId["already-passes"]).toMatchObject({ valid: false, startFails: false, referencePasses: true });
    expect(byId["already-passes"].problems[0]).toMatch(/already passes/);
    expect(byId["bad-reference"]).toMatchObject({ valid: false, startFails: true, referencePasses: false });
    expect(byId["bad-reference"].problems[0]).toMatch(/reference solution fails/);
    expect(byId["no-reference"]).toMatchObject({ valid: false, startFails: true, referencePasses: false });
    expect(check.invalid).toBe(3);
  });
});

describe("scoreTask", () => {
  it("fails the start, passes the reference, counts tests, and keeps hidden tests out of the scored folder", async () => {
    const task = (await openSuite("builtin").get("t1-roman-numerals"))!;
    const dir = await makeScratchDir("it");
    scratches.push(dir);
    await materializeTask(task, dir.path);
    const start = await scoreTask(task, dir.path);
    expect(start.passed).toBe(false);
    expect(start.exitCode).not.toBe(0);
    expect(start.testsFailed).toBe(3);
    expect(existsSync(path.join(dir.path, task.hiddenTestPaths[0]))).toBe(false);

    await applyReference(task, dir.path);
    const solved = await scoreTask(task, dir.path);
    expect(solved).toMatchObject({ passed: true, exitCode: 0, testsPassed: 3, testsFailed: 0, timedOut: false });
    expect(solved.durationMs).toBeGreaterThan(0);
    expect(existsSync(path.join(dir.path, task.hiddenTestPaths[0]))).toBe(false);
  });

  it("replaces an agent's fake test file with the hidden one", async () => {
    const task = (await openSuite("builtin").get("t0-default-port"))!;
    const dir = await makeScratchDir("it");
    scratches.push(dir);
    await materializeTask(task, dir.path);
    await fs.mkdir(path.join(dir.path, "test"), { recursive: true });
    await fs.writeFile(path.join(dir.path, task.hiddenTestPaths[0]), 'import test from "node:test"; test("fake", () => {});');
    expect((await scoreTask(task, dir.path)).passed).toBe(false);
  });

  it("scores polyglot exercises with every xtest enabled", async () => {
    const task = (await openSuite(path.join(fixtures, "polyglot")).get("javascript/tally"))!;
    const dir = await makeScratchDir("it");
    scratches.push(dir);
    await materializeTask(task, dir.path);
    // A partial solution that passes only the first (unskipped) case must fail once xtests run.
    await fs.writeFile(path.join(dir.path, "tally.js"), "export const tally = (n) => '';\n");
    const partial = await scoreTask(task, dir.path);
    expect(partial.passed).toBe(false);
    expect(partial.testsPassed).toBe(1);
    expect(partial.testsFailed).toBe(4);
    await applyReference(task, dir.path);
    expect((await scoreTask(task, dir.path)).testsPassed).toBe(5);
  });

  it("throws a cancelled CladeError when the signal aborts", async () => {
    const task = (await openSuite("builtin").get("t0-log-level"))!;
    const dir = await makeScratchDir("it");
    scratches.push(dir);
    await materializeTask(task, dir.path);
    const controller = new AbortController();
    const scoring = scoreTask(task, dir.path, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(scoring).rejects.toSatisfy((e) => CladeError.is(e, "cancelled"));
  });
});
