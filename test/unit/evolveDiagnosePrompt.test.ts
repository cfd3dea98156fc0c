// The diagnosis prompt is sized from the model's context: with 4k the prompt (system, tool schema,
// run log and code) fits what the reply leaves and still has the whole src/loop.ts; with 32k every
// file is there whole; the files of the tools the failed run used come before the other tool files.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ScriptedProvider } from "../../extension/engine/agent/scriptedProvider";
import { CHARS_PER_TOKEN, diagnose, scaffoldCode } from "../../extension/engine/evolve/diagnose";
import { proposeImprovementTool, type Diagnosis } from "../../extension/engine/evolve/diagnosis";
import { seedAgentDir } from "../../extension/engine/resources";

const work = mkdtempSync(path.join(os.tmpdir(), "clade-diagnose-prompt-"));
const scaffold = path.join(work, "scaffold");
cpSync(seedAgentDir(), scaffold, { recursive: true });
const trajectory = path.join(work, "run.jsonl");
const bigOutput = "x".repeat(250);
writeFileSync(
  trajectory,
  [
    ...Array.from({ length: 30 }, (_, i) => [
      { type: "tool-call", turn: i + 1, name: "edit_file", arguments: { path: "src/math.js", search: `line ${i}`, replace: "y" } },
      { type: "tool-result", turn: i + 1, name: "edit_file", ok: false, output: `The search text was not found in src/math.js. ${bigOutput}` },
    ]),
    { type: "tool-call", turn: 31, name: "finish", arguments: { summary: "gave up" } },
    { type: "tool-result", turn: 31, name: "finish", ok: true, output: "gave up" },
    { type: "end", result: { stopReason: "finished", test: { output: "not ok 1 - subtract\n  expected 1, got -1" } } },
  ]
    .flat()
    .map((record) => JSON.stringify(record))
    .join("\n") + "\n{\"type\": \"tool-ca",
);

const diagnosis: Diagnosis = {
  logSummary: "Edits never matched.",
  potentialImprovements: ["Show the file before editing"],
  improvementProposal: "Re-read the file after a failed edit.",
  implementationSuggestion: "In src/tools/editTools.ts show the file in the error.",
  problemStatement: "Failed edits repeat.",
};
const target = { kind: "failed-task" as const, run: { taskId: "t0-subtract-order", passed: false, stopReason: "finished", changedFiles: false, trajectory } };
const sources = readdirSync(path.join(scaffold, "src"), { recursive: true })
  .map((f) => `src/${String(f).split(path.sep).join("/")}`)
  .filter((f) => f.endsWith(".ts"));

async function prompt(contextTokens: number) {
  const provider = new ScriptedProvider([{ toolCall: { name: "propose_improvement", arguments: diagnosis } }]);
  const result = await diagnose({ provider, scaffoldDir: scaffold, target, contextTokens });
  expect(result.diagnosis).toEqual(diagnosis);
  const [call] = provider.calls;
  const text = call.messages.map((m) => m.content).join("\n");
  const chars = text.length + JSON.stringify(call.tools ?? []).length;
  return { call, text, chars };
}

const whole = (file: string) => readFileSync(path.join(scaffold, file), "utf8");

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("diagnosis prompt sized from the context", () => {
  it("with 4k: fits beside its reply, and has the whole loop first, then what else fits whole", async () => {
    const { call, text, chars } = await prompt(4096);
    expect(call.maxTokens).toBe(1024);
    expect(chars).toBeLessThanOrEqual((4096 - 1024) * CHARS_PER_TOKEN);
    expect(chars).toBeGreaterThan(0.7 * (4096 - 1024) * CHARS_PER_TOKEN);
    expect(text).toContain(`## src/loop.ts\n${whole("src/loop.ts")}`);
    // finish's file (a used tool) fits beside the loop; edit_file's does not, and is named as left out.
    expect(text).toContain(`## src/tools/commandTools.ts\n${whole("src/tools/commandTools.ts")}`);
    expect(text.indexOf("## src/loop.ts")).toBeLessThan(text.indexOf("## src/tools/commandTools.ts"));
    expect(text).not.toContain("## src/tools/fileTools.ts");
    expect(text).toMatch(/\(Left out, no room: src\/tools\/editTools\.ts, .*src\/tools\/fileTools\.ts/);
    // The log keeps its end: how the run ended and the test output.
    expect(text).toContain("call finish");
    expect(text).toContain("not ok 1 - subtract");
  });

  it("with 32k: every file whole, the used tools' files before the others, a 1500-token reply", async () => {
    const { call, text, chars } = await prompt(32_768);
    expect(call.maxTokens).toBe(1500);
    expect(chars).toBeLessThanOrEqual((32_768 - 1500) * CHARS_PER_TOKEN);
    expect(sources.length).toBeGreaterThan(8);
    for (const file of sources) expect(text, file).toContain(`## ${file}\n${whole(file)}`);
    expect(text).toContain(`## test/tools.test.ts\n${whole("test/tools.test.ts")}`);
    expect(text).not.toContain("Left out");
    const at = (file: string) => text.indexOf(`## ${file}\n`);
    expect(at("src/loop.ts")).toBeLessThan(at("src/tools/editTools.ts"));
    // edit_file was called most, then finish (commandTools.ts); fileTools.ts defines no used tool.
    expect(at("src/tools/editTools.ts")).toBeLessThan(at("src/tools/commandTools.ts"));
    expect(at("src/tools/commandTools.ts")).toBeLessThan(at("src/prompts.ts"));
    expect(at("src/prompts.ts")).toBeLessThan(at("src/tools/fileTools.ts"));
    expect(at("src/settings.ts")).toBeLessThan(at("src/host.ts"));
  });

  it("scaffoldCode ranks whole files and names the ones left out", async () => {
    const code = await scaffoldCode(scaffold, 8000, ["read_file"]);
    expect(code.included.slice(0, 2)).toEqual(["src/loop.ts", "src/tools/fileTools.ts"]);
    expect(code.text.length).toBeLessThanOrEqual(8000);
    for (const file of code.included) expect(code.text).toContain(whole(file));
    expect(code.omitted).toContain("src/tools/editTools.ts");
    expect(code.text).toContain(`(Left out, no room: ${code.omitted.join(", ")})`);
    const tiny = await scaffoldCode(scaffold, 1000);
    expect(tiny.included).toEqual([]);
    expect(tiny.text).toMatch(/^## src\/loop\.ts\n[\s\S]*… \(cut: \d+ more characters\)/);
    expect(tiny.text.length).toBeLessThanOrEqual(1000);
  });

  it("an explicit maxPromptChars still caps the prompt", async () => {
    const provider = new ScriptedProvider([{ toolCall: { name: "propose_improvement", arguments: diagnosis } }]);
    await diagnose({ provider, scaffoldDir: scaffold, target, contextTokens: 32_768, maxPromptChars: 5000 });
    const user = provider.calls[0].messages[1].content;
    expect(user.length).toBeLessThan(5000 + 300);
    expect(JSON.stringify(provider.calls[0].tools)).toBe(JSON.stringify([proposeImprovementTool]));
  });
});
