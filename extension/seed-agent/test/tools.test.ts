// The agent's own unit tests (run by the validation gate on every version: esbuild + node --test).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { applyEdit } from "../src/tools/editTools";
import { resolveInside } from "../src/tools/paths";
import { clip, fitToBudget, replyTokens, TokenMeter } from "../src/context";
import { editFile } from "../src/tools/editTools";

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
  for (const bad of ["a\u0007.js", "b\u202ejs.txt", "c\ufffd.js", "d\n.js"]) await assert.rejects(resolveInside(dir, bad), /control or invisible characters/);
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

test("TokenMeter counts the tool list and follows the host's real prompt token counts", () => {
  const tools = [{ name: "t", description: "d".repeat(700), parameters: {} }];
  const messages = [{ role: "user" as const, content: "x".repeat(700) }];
  const meter = new TokenMeter(tools);
  const before = meter.estimate(messages);
  assert.ok(before > new TokenMeter().estimate(messages) + 150, "the tool list counts");
  // The host said the prompt had twice as many tokens as estimated: estimates double from now on.
  meter.calibrate(messages, before * 2);
  assert.ok(Math.abs(meter.estimate(messages) - before * 2) <= 1);
  meter.calibrate(messages, 0); // no count: keep the ratio
  assert.ok(Math.abs(meter.estimate(messages) - before * 2) <= 1);
});

test("a reply may hold a whole scaffold file, and never most of a small context", () => {
  assert.ok(replyTokens(8192) >= 2048, "an 8k context allows a 2k+ token reply");
  assert.ok(replyTokens(32768) >= 3000);
  assert.ok(replyTokens(2048) <= 800, "a 2k context keeps most of it for the conversation");
});

test("edit_file has only required arguments and never rewrites the whole file", async () => {
  const params = editFile.definition.parameters as { properties: Record<string, unknown>; required: string[] };
  assert.deepEqual(Object.keys(params.properties).sort(), [...params.required].sort());
  assert.ok(!("content" in params.properties));
  const dir = tempProject();
  const host = {} as never;
  const task = { id: "t", instructions: "", workspace: dir, allowCommands: false };
  const result = await editFile.run({ path: "a.js", search: "zzz", replace: "q", content: "WHOLE" }, { task, host });
  assert.equal(result.ok, false);
  assert.equal(fs.readFileSync(path.join(dir, "a.js"), "utf8"), "export const a = 1;\n");
});

test("numberArg truncates and clamps what a JSON grammar lets a model write for an integer", async () => {
  const { numberArg } = await import("../src/tools/types");
  assert.equal(numberArg({ n: 3.7 }, "n"), 3);
  assert.equal(numberArg({ n: JSON.parse("4414117e44414441") }, "n"), Number.MAX_SAFE_INTEGER);
  assert.equal(numberArg({ n: 3e-8 }, "n"), 0);
  assert.equal(numberArg({}, "n"), undefined);
  assert.throws(() => numberArg({ n: "5" }, "n"), /must be a number/);
});

test("fitToBudget shortens a huge last call and result when dropping turns is not enough", () => {
  const messages = [
    { role: "system" as const, content: "sys" },
    { role: "user" as const, content: "task" },
    { role: "assistant" as const, content: "", toolCalls: [{ id: "1", name: "write_file", arguments: { path: "a.js", content: "x".repeat(8000) } }] },
    { role: "tool" as const, content: "y".repeat(8000), toolCallId: "1" },
  ];
  const fitted = fitToBudget(messages, 500);
  assert.equal(fitted.length, 4);
  assert.match(String((fitted[2].toolCalls![0].arguments as { content: string }).content), /8000 characters removed/);
  assert.equal((fitted[2].toolCalls![0].arguments as { path: string }).path, "a.js");
  assert.match(fitted[3].content, /8000 characters removed/);
  assert.equal((messages[2].toolCalls![0].arguments as { content: string }).content.length, 8000, "the agent's own history is not changed");
});
