// The tool contract between the model host's tool-call grammar and the seed agent's tools, fuzzed
// with random-weight models: for every tool the seed agent offers (a task with tests and allowed
// commands, so all of them), many calls are sampled (temperature 1, different seeds) from that
// tool's compiled grammar through the real ModelHost — on a generated model with native function
// calling (Qwen template: parsed toolCalls, text in <tool_call> syntax) and on one without a chat
// template (bare JSON calls) — and each is run through the tool's own handler. A complete call must
// mean what its keys say:
// - its keys are a subset of the schema's properties and include every `required` one; edit_file
//   never carries `content`;
// - optional keys are optional: across a tool's calls, one leaves an optional key out and one has it
//   (read_file's start_line/end_line, list_files's dir) — the grammar must not force them;
// - the handler, in a temp workspace (a.js, sub/b.txt; a host whose exec returns a fixed result),
//   never fails with an argument-type error ("must be a string" / "must be a number"); path errors
//   are fine (paths are random), so calls that name a path are also run on a real file: read_file
//   without start_line shows line 1 first, with it line max(1, start_line); edit_file edits (exactly
//   the search/replace; with a search line that is in the file, only that line changes) or says the
//   search text was not found — it never rewrites the whole file.
// Calls cut off by maxTokens are counted and allowed up to half; at least 6 per tool must complete.
// This failed before the grammar fix (jsonSchemaToGbnf.ts's optional keys as a oneOf over key sets):
// node-llama-cpp's JSON-schema grammar generated every listed property, so edit_file always carried
// its then-optional `content` (every edit a whole-file rewrite) and read_file always a line range.
// Checked with that convertObject put back: list_files carried dir in all 12 calls on both models, and
// read_file's forced start_line came out as `4414117e44414441` (the grammar's integers take a
// 16-digit exponent), which parses to Infinity: 'Argument "start_line" must be a number.'
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelHost } from "../../extension/engine/model/modelHost";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import type { TestModelOptions } from "../../extension/protocol/model";
import type { AgentHost, AgentTask } from "../../extension/seed-agent/src/host";
import { applyEdit } from "../../extension/seed-agent/src/tools/editTools";
import { toolsFor } from "../../extension/seed-agent/src/tools/index";
import type { Tool, ToolOutput } from "../../extension/seed-agent/src/tools/types";
import { recordingHost, tempDir } from "./modelHostFixtures";

const SAMPLES_PER_TOOL = 12;
const MIN_COMPLETE = 6;
const MAX_CUT_SHARE = 0.5;
/** Random weights rarely pick the closing quote, so a string runs ~50–300 tokens: at 160, most edit_file calls were cut off. */
const MAX_TOKENS = 512;
const ARGUMENT_TYPE_ERROR = /Argument "\w+" must be a (string|number)/;
const A_JS = "const a = 1;\nconst b = 2;\nconsole.log(a + b);\n";
const B_TXT = "one\ntwo\nthree\n";

interface Sample {
  seed: number;
  stopReason: string;
  text: string;
  args?: Record<string, unknown>;
}

let dir: string;
let cleanup: () => Promise<void>;
let host: ModelHost;
let workspace: string;

const task = (): AgentTask => ({ id: "contract", instructions: "Fix the bug in a.js.", workspace, testCommand: "npm test", allowCommands: true });
const tools = (): Tool[] => toolsFor(task());

const agentHost: AgentHost = {
  llm: () => Promise.reject(new Error("no model in the tool contract test")),
  exec: () => Promise.resolve({ exitCode: 0, timedOut: false, output: "fixed output\n", truncated: false, durationMs: 1 }),
  record: () => undefined,
  limits: { maxTurns: 1, maxTokens: 1000, timeoutMs: 10_000, commandTimeoutMs: 1000, contextTokens: 2048 },
  signal: new AbortController().signal,
};

async function resetWorkspace(): Promise<void> {
  await rm(workspace, { recursive: true, force: true });
  await mkdir(path.join(workspace, "sub"), { recursive: true });
  await writeFile(path.join(workspace, "a.js"), A_JS);
  await writeFile(path.join(workspace, "sub", "b.txt"), B_TXT);
}

async function runTool(tool: Tool, args: Record<string, unknown>): Promise<ToolOutput> {
  await resetWorkspace();
  return tool.run(args, { task: task(), host: agentHost }).catch((error: unknown) => ({ ok: false, output: error instanceof Error ? error.message : String(error) }));
}

async function sample(tool: Tool, format: "qwen" | "json"): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let seed = 1; seed <= SAMPLES_PER_TOOL; seed++) {
    const result = await host.chat({
      messages: [
        { role: "system", content: "You are a coding agent. Use the tool." },
        { role: "user", content: "Fix the bug in a.js." },
      ],
      tools: [tool.definition],
      toolChoice: "required",
      temperature: 1,
      seed,
      maxTokens: MAX_TOKENS,
    });
    if (result.stopReason === "maxTokens") {
      samples.push({ seed, stopReason: result.stopReason, text: result.text });
      continue;
    }
    const where = `${tool.definition.name} seed ${seed}: ${result.text}`;
    expect(result.stopReason, where).toBe("toolCall");
    expect(result.toolCalls, where).toHaveLength(1);
    const [call] = result.toolCalls;
    expect(call.name, where).toBe(tool.definition.name);
    expect(typeof call.arguments === "object" && call.arguments !== null && !Array.isArray(call.arguments), where).toBe(true);
    const written = format === "qwen" ? /^<tool_call>\n([\s\S]*)\n<\/tool_call>$/.exec(result.text)?.[1] : result.text;
    expect(written, where).toBeDefined();
    expect(JSON.parse(written!), where).toEqual({ name: call.name, arguments: call.arguments });
    samples.push({ seed, stopReason: result.stopReason, text: result.text, args: call.arguments as Record<string, unknown> });
  }
  return samples;
}

async function checkTool(tool: Tool, samples: Sample[]): Promise<void> {
  const name = tool.definition.name;
  const schema = tool.definition.parameters as { properties?: Record<string, unknown>; required?: string[] };
  const properties = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const optional = properties.filter((key) => !required.includes(key));
  const complete = samples.filter((s): s is Sample & { args: Record<string, unknown> } => s.args !== undefined);
  const cut = samples.length - complete.length;
  const summary = `${name}: ${complete.length} complete, ${cut} cut off by maxTokens`;
  expect(cut / samples.length, summary).toBeLessThanOrEqual(MAX_CUT_SHARE);
  expect(complete.length, summary).toBeGreaterThanOrEqual(MIN_COMPLETE);

  for (const { seed, args, text } of complete) {
    const where = `${name} seed ${seed}: ${text}`;
    const keys = Object.keys(args);
    for (const key of keys) expect(properties, `${where}: key "${key}" is not in the schema`).toContain(key);
    for (const key of required) expect(keys, `${where}: required key "${key}" is missing`).toContain(key);
    if (name === "edit_file") expect(keys, `${where}: edit_file carries content`).not.toContain("content");

    const asGiven = await runTool(tool, args);
    expect(asGiven.output, `${where}: argument-type error`).not.toMatch(ARGUMENT_TYPE_ERROR);

    if (name === "read_file") {
      const output = (await runTool(tool, { ...args, path: "a.js" })).output;
      expect(output, where).not.toMatch(ARGUMENT_TYPE_ERROR);
      if (output !== "(empty file)") {
        const first = Number(/^\s*(\d+) /.exec(output)?.[1]);
        const start = typeof args.start_line === "number" ? Math.max(1, args.start_line) : 1;
        expect(first, `${where}: read_file starts at the wrong line:\n${output}`).toBe(start);
      } else {
        expect(typeof args.start_line === "number" || typeof args.end_line === "number", `${where}: a whole read of a.js came back empty`).toBe(true);
      }
    }
    if (name === "edit_file") {
      const result = await runTool(tool, { ...args, path: "a.js" });
      const after = await readFile(path.join(workspace, "a.js"), "utf8");
      if (result.ok) {
        expect(result.output, where).toBe("Edited a.js.");
        expect(after, `${where}: the edit is not the search/replace`).toBe(applyEdit(A_JS, String(args.search), String(args.replace)));
      } else {
        expect(result.output, where).toMatch(/search text was not found/);
        expect(after, `${where}: a failed edit changed the file`).toBe(A_JS);
      }
      // Random search text is never in a.js: with a line that is, the edit replaces that line only.
      const found = await runTool(tool, { ...args, path: "a.js", search: "const b = 2;" });
      expect(found.output, where).toBe("Edited a.js.");
      expect(await readFile(path.join(workspace, "a.js"), "utf8"), `${where}: the edit rewrote more than the search text`).toBe(A_JS.replace("const b = 2;", () => String(args.replace)));
    }
  }

  if (optional.length > 0) {
    const omits = complete.some(({ args }) => optional.some((key) => !(key in args)));
    const includes = complete.some(({ args }) => optional.some((key) => key in args));
    const keySets = complete.map(({ args }) => Object.keys(args).join(",") || "(none)").join(" | ");
    expect(omits, `${name}: no call left out an optional key (${optional.join(", ")}) — the grammar forces them; key sets: ${keySets}`).toBe(true);
    expect(includes, `${name}: no call had an optional key (${optional.join(", ")}) — the grammar forbids them; key sets: ${keySets}`).toBe(true);
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("clade-tool-contract-"));
  workspace = path.join(dir, "workspace");
  ({ host } = recordingHost(dir));
});

afterAll(async () => {
  await host?.dispose();
  await cleanup?.();
});

it("the seed agent offers every tool to a task with tests and allowed commands", () => {
  expect(tools().map((tool) => tool.definition.name)).toEqual(["list_files", "read_file", "search_code", "edit_file", "write_file", "run_tests", "run_command", "finish"]);
});

const models: { title: string; options: Omit<TestModelOptions, "out">; functionCalling: boolean; format: "qwen" | "json" }[] = [
  { title: "a generated model with native function calling (Qwen template)", options: { seed: 3 }, functionCalling: true, format: "qwen" },
  { title: "a generated model without a chat template (bare JSON calls)", options: { seed: 4, preset: "no-template" }, functionCalling: false, format: "json" },
];

for (const model of models) {
  describe(`on ${model.title}`, () => {
    beforeAll(async () => {
      const generated = await generateTestModel({ ...model.options, out: path.join(dir, `${model.options.preset ?? "qwen"}.gguf`) });
      await host.load({ model: generated.file, threads: 1, gpu: "cpu", contextPerSequence: 2048, sequences: 1 });
      expect(host.info?.functionCalling).toBe(model.functionCalling);
    });

    for (const tool of tools()) {
      it(`${tool.definition.name}: sampled calls mean what their keys say`, async () => {
        await checkTool(tool, await sample(tool, model.format));
      });
    }
  });
}
