// Generated test models that carry a real model family's chat template and special tokens
// (extension/engine/model/testModel/families/*.json), in real llama.cpp (node-llama-cpp, CPU, 1 thread).
// For each family: the GGUF metadata and tokens are the family's, node-llama-cpp resolves the
// expected chat wrapper, a fixed conversation renders through Clade's renderer exactly as its golden
// file (test/fixtures/families/<family>.txt; CLADE_UPDATE_GOLDEN=1 rewrites them), and a chat through
// the model host returns a parsed tool call.
import Ajv from "ajv";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
// node-llama-cpp's own Jinja engine (its dependency), here to render a template as Hugging Face does.
import { Template } from "@huggingface/jinja";
import { LlamaLogLevel, resolveChatWrapper, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage, ChatParams, ToolDefinition } from "../../extension/protocol/model";
import { getLlamaBackend } from "../../extension/engine/model/backend";
import type { ModelHost } from "../../extension/engine/model/modelHost";
import { wrapperSupportsFunctions } from "../../extension/engine/model/modelInfo";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import { testModelFamilies, type TestModelFamily } from "../../extension/engine/model/testModel/testModelFamilies";
import { renderInference, type RenderRequest } from "../../extension/engine/train/inferencePrompt";
import type { ModelFamilyEntry } from "../../extension/engine/cli/commands/modelFamiliesCommand";
import { parseJson, runCli } from "../helpers/cli";
import { recordingHost, tempDir } from "./modelHostFixtures";

const goldenDir = path.resolve(__dirname, "../fixtures/families");
const updateGolden = process.env.CLADE_UPDATE_GOLDEN === "1";

const tools: ToolDefinition[] = [
  {
    name: "read_file",
    description: "Read a text file of the workspace.",
    parameters: { type: "object", properties: { path: { type: "string", minLength: 1, maxLength: 40 } }, required: ["path"], additionalProperties: false },
  },
  {
    name: "run_tests",
    description: "Run the test suite.",
    parameters: { type: "object", properties: { mode: { enum: ["fast", "full"] } }, required: ["mode"], additionalProperties: false },
  },
];
const ajv = new Ajv({ strict: false });
const validators = new Map(tools.map((tool) => [tool.name, ajv.compile(tool.parameters)]));

// The fixed conversation: system, user, an assistant tool call, its result, a user follow-up.
// (A 9-character call id, because Mistral's template demands one.)
const conversation: ChatMessage[] = [
  { role: "system", content: "You are a coding agent. Use the tools to look at the workspace." },
  { role: "user", content: "What does src/add.ts export?" },
  { role: "assistant", content: "", toolCalls: [{ id: "call00001", name: "read_file", arguments: { path: "src/add.ts" } }] },
  { role: "tool", toolCallId: "call00001", content: "export function add(a: number, b: number): number {\n  return a + b;\n}" },
  { role: "user", content: "Good. Now run the fast tests." },
];

let llama: Llama;
let dir: string;
let cleanup: () => Promise<void>;
let host: ModelHost;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("clade-families-"));
  // The model host's own Llama (one per process; a second one would lose llama.cpp's log).
  llama = (await getLlamaBackend("cpu", LlamaLogLevel.error)).llama;
  ({ host } = recordingHost(dir));
});

afterAll(async () => {
  await host?.dispose();
  await cleanup?.();
});

/** The prompt text the model reads (special tokens included), as Clade's renderer builds it. */
function renderedText(model: LlamaModel, family: TestModelFamily, request: RenderRequest): string {
  const wrapper = resolveChatWrapper(model);
  const state = renderInference({ wrapper, functionCalling: wrapperSupportsFunctions(wrapper) }, conversation, request);
  const text = model.detokenize(state.contextText.tokenize(model.tokenizer), true);
  // Llama3_1ChatWrapper writes today's date into the system header.
  return family.family === "llama3.1" ? text.replace(/Today Date: \d{1,2} [A-Z][a-z]{2} \d{4}/, "Today Date: <today>") : text;
}

/**
 * The same conversation through the family's own template, as transformers' apply_chat_template
 * renders it (OpenAI-style messages and tools, add_generation_prompt): the format the model was
 * trained on, to read Clade's rendering against. Templates that reject the conversation say why.
 */
function referenceText(family: TestModelFamily): string {
  if (family.chat_template === null) return "(no chat template)";
  const openAiTools = tools.map((tool) => ({ type: "function", function: tool }));
  const messages = conversation.map((message) => {
    if (message.role === "assistant" && message.toolCalls) {
      return { role: "assistant", content: message.content, tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })) };
    }
    if (message.role === "tool") return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    // Phi-4-mini takes the tools as a JSON string on the system message (its model card).
    if (message.role === "system" && family.family === "phi4-mini") return { ...message, tools: JSON.stringify(openAiTools) };
    return { role: message.role, content: message.content };
  });
  try {
    return new Template(family.chat_template).render({ messages, tools: openAiTools, add_generation_prompt: true, bos_token: family.bos, eos_token: family.eos });
  } catch (error) {
    return `(the template rejects this conversation: ${error instanceof Error ? error.message : String(error)})`;
  }
}

function golden(family: TestModelFamily, model: LlamaModel): string {
  const wrapper = resolveChatWrapper(model);
  return [
    `# ${family.title} (preset ${family.family}): wrapper ${wrapper.wrapperName}, native function calling ${wrapperSupportsFunctions(wrapper)}`,
    "# The conversation of test/integration/families.test.ts rendered by Clade (renderInference, detokenized with",
    "# special tokens), then by the family's own template for reference (what the model was trained on).",
    "=== Clade, toolChoice: auto ===",
    renderedText(model, family, { tools, toolChoice: "auto" }),
    "=== Clade, toolChoice: required ===",
    renderedText(model, family, { tools, toolChoice: "required" }),
    "=== the family's template (reference) ===",
    referenceText(family),
    "",
  ].join("\n");
}

describe.each(testModelFamilies().map((family) => [family.family, family] as const))("family %s", (name, family) => {
  let file: string;
  let model: LlamaModel;

  beforeAll(async () => {
    file = (await generateTestModel({ out: path.join(dir, `${name}.gguf`), preset: family.family, seed: 7 })).file;
    model = await llama.loadModel({ modelPath: file });
  });

  afterAll(async () => {
    await model?.dispose();
  });

  it("has the family's architecture, chat template, bos and eos", () => {
    const metadata = model.fileInfo.metadata;
    expect(metadata.general.architecture).toBe(family.architecture);
    expect(metadata.tokenizer.chat_template ?? null).toBe(family.chat_template);
    expect(model.tokens.bosString).toBe(family.bos);
    expect(model.tokens.eosString).toBe(family.eos);
    expect(metadata.tokenizer.ggml.add_bos_token).toBe(family.addBos);
  });

  it("has the family's special tokens as single tokens, and its end-of-turn tokens end generation", () => {
    for (const special of family.specialTokens) {
      const tokens = model.tokenize(special.text, true);
      expect(tokens, special.text).toHaveLength(1);
      // Control tokens only come from special-token parsing; user-defined ones (Qwen's <tool_call>,
      // <think>) are matched in plain text too, as in the real vocabularies, unless llama.cpp makes
      // them control tokens by their look (Qwen's <|fim_prefix|> … <|file_sep|>, as in the real GGUFs).
      if (special.type === "control" || model.getTokenAttributes(tokens[0]).control) {
        expect(model.isSpecialToken(tokens[0]), special.text).toBe(true);
        expect(model.tokenize(special.text, false).length, `${special.text} as plain text`).toBeGreaterThan(1);
      } else {
        expect(model.tokenize(special.text, false), `${special.text} as plain text`).toEqual(tokens);
      }
    }
    for (const text of family.endOfTurn) expect(model.isEogToken(model.tokenize(text, true)[0]), text).toBe(true);
  });

  it(`resolves to node-llama-cpp's ${family.expect.wrapper} wrapper (native function calling: ${family.expect.functionCalling})`, () => {
    const wrapper = resolveChatWrapper(model);
    expect(wrapper.wrapperName).toBe(family.expect.wrapper);
    expect(wrapperSupportsFunctions(wrapper)).toBe(family.expect.functionCalling);
  });

  it("renders the fixed conversation exactly as its golden file", () => {
    const text = golden(family, model);
    const goldenFile = path.join(goldenDir, `${name}.txt`);
    if (updateGolden) writeFileSync(goldenFile, text);
    expect(existsSync(goldenFile), `${goldenFile} is missing; write it with CLADE_UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(text, `${goldenFile} differs; if the change is intended, rerun with CLADE_UPDATE_GOLDEN=1 and review the diff`).toBe(readFileSync(goldenFile, "utf8"));
  });

  it("chats through the model host: a parsed tool call, and an auto turn that completes", async () => {
    const info = await host.load({ model: file, threads: 1, contextSize: 4096, sequences: 1, gpu: "cpu" });
    expect(info.chatWrapper).toBe(family.expect.wrapper);
    expect(info.functionCalling).toBe(family.expect.functionCalling);
    const ask = (extra: Partial<ChatParams>): ChatParams => ({ messages: conversation, tools, maxTokens: 160, ...extra });

    const required = await host.chat(ask({ toolChoice: "required" }));
    expect(required.stopReason, required.text).toBe("toolCall");
    expect(required.toolCalls).toHaveLength(1);
    const [call] = required.toolCalls;
    const validate = validators.get(call.name);
    expect(validate, `unknown tool ${call.name}`).toBeDefined();
    expect(validate?.(call.arguments), JSON.stringify(validate?.errors)).toBe(true);

    // Random weights: whether it calls a tool is chance; the family's native path must work either way.
    const auto = await host.chat(ask({ toolChoice: "auto", maxTokens: 24, temperature: 0.8, seed: 3 }));
    expect(["eos", "maxTokens", "toolCall"]).toContain(auto.stopReason);
    expect(auto.usage.completionTokens).toBeGreaterThan(0);
    for (const toolCall of auto.toolCalls) expect(tools.map((tool) => tool.name)).toContain(toolCall.name);
  });
});

describe("clade model families", () => {
  it("lists every family with its preset, template source, wrapper, function calling and checks; the preset writes that family", async () => {
    const entries = parseJson<ModelFamilyEntry[]>(await runCli(["model", "families", "--json"]));
    expect(entries.map((item) => item.family)).toEqual(testModelFamilies().map((family) => family.family));
    for (const item of entries) {
      const family = testModelFamilies().find((f) => f.family === item.family);
      expect(item.preset).toBe(item.family);
      expect(item.chatWrapper).toBe(family?.expect.wrapper);
      expect(item.nativeFunctionCalling).toBe(family?.expect.functionCalling);
      expect(item.templateSource?.copiedFrom ?? null).toBe(family?.templateSource?.copiedFrom ?? null);
      expect(item.test.checks.length).toBeGreaterThan(0);
      expect(existsSync(path.resolve(__dirname, "../..", item.test.golden)), item.test.golden).toBe(true);
    }
    const written = parseJson<{ file: string }>(await runCli(["model", "test-model", "--preset", "mistral", "--out", path.join(dir, "cli-mistral.gguf"), "--json"]));
    const model = await llama.loadModel({ modelPath: written.file });
    try {
      expect(resolveChatWrapper(model).wrapperName).toBe("Mistral");
    } finally {
      await model.dispose();
    }
  });
});
