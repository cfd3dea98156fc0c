// The agent's own unit tests (run by the validation gate on every version: esbuild + node --test).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { applyEdit } from "../src/tools/editTools";
import { resolveInside } from "../src/tools/paths";
import { clip, fitToBudget } from "../src/context";

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function tempProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seed-agent-"));
  made.push(dir);
  fs.writeFileSync(path.join(dir, "a.js"), "export const a = 1;\n");
  return dir;
}

test("paths inside the project resolve; .., absolute and symlinked escapes are refused", async () => {
  const dir = tempProject();
  assert.equal(await resolveInside(dir, "a.js"), path.join(fs.realpathSync(dir), "a.js"));
  assert.equal(await resolveInside(dir, "new/file.js"), path.join(fs.realpathSync(dir), "new", "file.js"));
  await assert.rejects(resolveInside(dir, "../outside.js"), /outside the project/);
  await assert.rejects(resolveInside(dir, "/etc/passwd"), /outside the project/);
  fs.symlinkSync(os.tmpdir(), path.join(dir, "link"));
  await assert.rejects(resolveInside(dir, "link/x.js"), /outside the project/);
});

test("applyEdit replaces exact text, tolerates indentation, and reports a miss", () => {
  assert.equal(applyEdit("a\n  b\nc", "  b", "B"), "a\nB\nc");
  assert.equal(applyEdit("a\n    b();\nc", "b();", "x();"), "a\n    x();\nc");
  assert.equal(applyEdit("a\n    if (x) {\n      y();\n    }\n", "if (x) {\n  y();\n}", "z();"), "a\nz();\n");
  assert.equal(applyEdit("abc", "zzz", "q"), undefined);
});

test("clip keeps both ends of long output", () => {
  const long = "S".repeat(5000) + "E".repeat(5000);
  const { text, from } = clip(long, 1000);
  assert.ok(text.startsWith("SSS") && text.endsWith("EEE"));
  assert.equal(from, 10000);
  assert.equal(clip("short", 1000).from, undefined);
});

test("fitToBudget stubs old tool output and keeps system + task", () => {
  const messages = [
    { role: "system" as const, content: "sys" },
    { role: "user" as const, content: "task" },
    ...Array.from({ length: 10 }, (_, i) => [
      { role: "assistant" as const, content: "", toolCalls: [{ id: String(i), name: "read_file", arguments: {} }] },
      { role: "tool" as const, content: "x".repeat(3000), toolCallId: String(i) },
    ]).flat(),
  ];
  const fitted = fitToBudget(messages, 4000);
  assert.equal(fitted[0].content, "sys");
  assert.equal(fitted[1].content, "task");
  assert.ok(fitted.some((m) => m.content.startsWith("[old output")));
  assert.equal(fitted[fitted.length - 1].content.length, 3000);
});
