// The built-in suite as data: enough tasks in each tier, well-formed, hidden tests kept out of the
// starting files, and a stable task-set hash. (Running them is test/integration/tasksCheck.test.ts.)
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyReference, installHiddenTests, makeScratchDir, materializeTask, openSuite, toTaskSummary, type ScratchDir } from "../../extension/engine/tasks";

const scratches: ScratchDir[] = [];
afterEach(async () => {
  await Promise.all(scratches.splice(0).map((s) => s.dispose()));
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
  }
  return out.sort();
}

describe("builtin suite", () => {
  it("has at least 40 tasks: ≥ 8 in T0 and some in T1 and T2", async () => {
    const tasks = await openSuite("builtin").list();
    expect(tasks.length).toBeGreaterThanOrEqual(40);
    const byTier = (tier: string) => tasks.filter((t) => t.tier === tier).length;
    expect(byTier("T0")).toBeGreaterThanOrEqual(8);
    expect(byTier("T1")).toBeGreaterThanOrEqual(10);
    expect(byTier("T2")).toBeGreaterThanOrEqual(8);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
  });

  it("every task is self-contained JavaScript run by plain node --test on its hidden tests", async () => {
    for (const task of await openSuite("builtin").list()) {
      expect(task.suite).toBe("builtin");
      expect(task.language).toBe("javascript");
      expect(task.instructions.length).toBeGreaterThan(30);
      expect(task.hasReference).toBe(true);
      expect(task.hiddenTestPaths.length).toBeGreaterThan(0);
      expect(task.testCommand).toBe(`node --test ${task.hiddenTestPaths.join(" ")}`);
      expect(task.id.startsWith(task.tier!.toLowerCase() + "-")).toBe(true);
    }
  });

  it("materializes starting files without the hidden tests, which only installHiddenTests writes", async () => {
    const task = (await openSuite("builtin").get("t2-bank-transfer"))!;
    expect(task).toBeDefined();
    const dir = await makeScratchDir("unit");
    scratches.push(dir);
    await materializeTask(task, dir.path);
    const start = await listFiles(dir.path);
    expect(start).toEqual(["bank/accounts.mjs", "bank/errors.mjs", "bank/ledger.mjs", "bank/transfer.mjs"]);
    for (const hidden of task.hiddenTestPaths) expect(existsSync(path.join(dir.path, hidden))).toBe(false);
    await applyReference(task, dir.path);
    expect(await fs.readFile(path.join(dir.path, "bank/errors.mjs"), "utf8")).toContain("class InsufficientFundsError");
    await installHiddenTests(task, dir.path);
    expect(await listFiles(dir.path)).toContain("test/bank.test.mjs");
  });

  it("has a stable task-set hash that changes when a task's content changes", async () => {
    const a = await openSuite("builtin").hash();
    const b = await openSuite("builtin").hash();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    const tasks = await openSuite("builtin").list();
    const hashes = await Promise.all(tasks.map((t) => t.files.contentHash()));
    expect(new Set(hashes).size).toBe(tasks.length);
  });

  it("summaries are JSON-safe", async () => {
    const task = (await openSuite("builtin").list())[0];
    const summary = toTaskSummary(task);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary).not.toHaveProperty("files");
  });
});
