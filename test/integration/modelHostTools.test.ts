// Tool calling through the model host, with real inference:
// - "required": a grammar-constrained reply that is exactly one call of one of two tools and
//   validates against that tool's JSON schema (ajv), on stories260K (no chat template) and on a
//   generated model with Qwen2.5's template;
// - "auto": native function calling through the chat wrapper when it has a tool syntax (the
//   generated model), plain text otherwise (stories260K);
// - a conversation with tool calls and tool results renders and continues.
import Ajv from "ajv";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatParams, ToolDefinition } from "../../extension/protocol/model";
import type { ModelHost } from "../../extension/engine/model/modelHost";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { recordingHost, storiesModel, tempDir } from "./modelHostFixtures";

const tools: ToolDefinition[] = [
  {
    name: "read_file",
    description: "Read a text file of the workspace.",
    parameters: {
      type: "object",
      properties: { path: { type: "string", minLength: 1, maxLength: 40 }, maxLines: { type: "integer" } },
      required: ["path"],
      additionalProperties: false,
    },
  },
  {
    name: "run_tests",
    description: "Run the test suite.",
    parameters: {
      type: "object",
      properties: {
        mode: { enum: ["fast", "full"] },
        filter: { anyOf: [{ type: "string", maxLength: 20 }, { type: "null" }] },
        verbose: { type: "boolean" },
      },
      required: ["mode"],
      additionalProperties: false,
    },
  },
];

const ajv = new Ajv({ strict: false });
const validators = new Map(tools.map((tool) => [tool.name, ajv.compile(tool.parameters)]));
const ask = (content: string, extra: Partial<ChatParams> = {}): ChatParams => ({
  messages: [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content },
  ],
  tools,
  maxTokens: 160,
  ...extra,
});

let dir: string;
let cleanup: () => Promise<void>;
let host: ModelHost;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("clade-host-tools-"));
  ({ host } = recordingHost(dir));
});

afterAll(async () => {
  await host?.dispose();
  await cleanup?.();
});

function expectValidCall(result: Awaited<ReturnType<ModelHost["chat"]>>, format: "json" | "qwen" = "json"): void {
  expect(result.stopReason, result.text).toBe("toolCall");
  expect(result.toolCalls).toHaveLength(1);
  const [call] = result.toolCalls;
  expect(call.id).toMatch(/^call_/);
  const validate = validators.get(call.name);
  expect(validate, `unknown tool ${call.name}`).toBeDefined();
  expect(validate?.(call.arguments), JSON.stringify(validate?.errors)).toBe(true);
  if (format === "json") {
    expect(JSON.parse(result.text)).toEqual({ name: call.name, arguments: call.arguments });
    return;
  }
  // Qwen's own tool-call syntax, which Qwen models are trained on.
  const inner = /^<tool_call>\n([\s\S]*)\n<\/tool_call>$/.exec(result.text);
  expect(inner, result.text).not.toBeNull();
  expect(JSON.parse(inner![1])).toEqual({ name: call.name, arguments: call.arguments });
}

describe("on stories260K (no chat template, no native tool syntax)", () => {
  beforeAll(async () => {
    await host.load({ model: storiesModel(), threads: 1, contextSize: 1024, gpu: "cpu" });
    expect(host.info?.functionCalling).toBe(false);
  });

  it('"required" always yields one schema-valid call of one of the tools, greedy or sampled', async () => {
    expectValidCall(await host.chat(ask("Read the file src/main.ts", { toolChoice: "required" })));
    const names = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const result = await host.chat(ask("Run the tests", { toolChoice: "required", temperature: 1, seed }));
      expectValidCall(result);
      names.add(result.toolCalls[0].name);
    }
    expect(names.size).toBeGreaterThanOrEqual(1);
  });

  it('"auto" and "none" answer in text when the wrapper has no tool syntax', async () => {
    for (const toolChoice of ["auto", "none"] as const) {
      const result = await host.chat(ask("Once upon a time", { toolChoice, maxTokens: 16 }));
      expect(result.toolCalls).toEqual([]);
      expect(result.text.length).toBeGreaterThan(0);
    }
  });

  it("renders earlier calls and their results as text and continues", async () => {
    const result = await host.chat({
      messages: [
        { role: "user", content: "Read the file a.txt" },
        { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "read_file", arguments: { path: "a.txt", maxLines: 3 } }] },
        { role: "tool", toolCallId: "call_1", content: "hello from a.txt" },
      ],
      tools,
      toolChoice: "required",
      maxTokens: 160,
    });
    expectValidCall(result);
  });
});

describe("on a generated model with Qwen2.5's chat template (native tool syntax)", () => {
  beforeAll(async () => {
    const toy = await generateTestModel({ out: path.join(dir, "toy.gguf"), seed: 11 });
    await host.load({ model: toy.file, threads: 1, contextSize: 2048, sequences: 1, gpu: "cpu" });
    expect(host.info?.functionCalling).toBe(true);
    expect(host.info?.chatTemplate).toMatch(/tool/);
  });

  it('"required" yields a schema-valid call here too, written in Qwen\'s <tool_call> syntax', async () => {
    for (const seed of [1, 2, 3]) expectValidCall(await host.chat(ask("Run the fast tests", { toolChoice: "required", temperature: 0.8, seed })), "qwen");
  });

  it('"auto" generates through the native function-calling path; any call it makes is a known tool', async () => {
    // Random weights: whether it calls a tool is up to chance; the path must work either way.
    for (const seed of [1, 2, 3]) {
      const result = await host.chat(ask("Read the file README.md", { toolChoice: "auto", temperature: 0.8, seed, maxTokens: 48 }));
      expect(["eos", "maxTokens", "toolCall"]).toContain(result.stopReason);
      expect(result.usage.completionTokens).toBeGreaterThan(0);
      for (const call of result.toolCalls) expect(tools.map((tool) => tool.name)).toContain(call.name);
    }
  });

  it("continues a model turn after native tool results, and caches the shared prefix", async () => {
    const history: ChatParams["messages"] = [
      { role: "system", content: "You are a coding agent." },
      { role: "user", content: "Read the file a.txt" },
      { role: "assistant", content: "Reading it.", toolCalls: [{ id: "call_1", name: "read_file", arguments: { path: "a.txt", maxLines: 3 } }] },
      { role: "tool", toolCallId: "call_1", content: '{"text": "hello"}' },
    ];
    const first = await host.chat({ messages: history, tools, toolChoice: "auto", maxTokens: 8, sessionId: "tools" });
    expect(first.usage.promptTokens).toBeGreaterThan(20);
    const second = await host.chat({ messages: [...history, { role: "assistant", content: first.text }, { role: "user", content: "Thanks" }], tools, toolChoice: "auto", maxTokens: 8, sessionId: "tools" });
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(first.usage.promptTokens / 2);
  });
});
