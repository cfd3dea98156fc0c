// Tool calls in Clade's own JSON form {"name": ..., "arguments": {...}}: the grammar that forces a
// reply to be exactly one call of one of the tools ("required"), the instructions that tell the
// model about it, and turning native node-llama-cpp function calls into ToolCalls ("auto").
import { randomBytes } from "node:crypto";
import type { ChatModelFunctions, GbnfJsonSchema, Llama, LlamaChatResponseFunctionCall, LlamaGrammar } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import type { ToolCall, ToolDefinition } from "../../protocol/model";
import { toGbnfSchema } from "./jsonSchemaToGbnf";
import { nativeCallGrammar, type NativeCallSyntax } from "./nativeCall";

export function newToolCallId(): string {
  return `call_${randomBytes(6).toString("hex")}`;
}

/** One call of any of `tools`: oneOf over {"name": const, "arguments": that tool's schema}. */
export function toolCallSchema(tools: readonly ToolDefinition[]): GbnfJsonSchema {
  checkTools(tools);
  return {
    oneOf: tools.map((tool) => ({
      type: "object",
      properties: { name: { const: tool.name }, arguments: toGbnfSchema(tool.parameters) },
    })),
  } as GbnfJsonSchema;
}

/** System-prompt text for "required": which tools exist and the exact reply format. */
export function toolInstructions(tools: readonly ToolDefinition[]): string {
  const list = tools.map((tool) => `- ${tool.name}: ${tool.description}\n  arguments schema: ${JSON.stringify(tool.parameters)}`).join("\n");
  return `Reply with exactly one tool call as JSON: {"name": "<tool name>", "arguments": {...}}.\nAvailable tools:\n${list}`;
}

/** Parses a grammar-constrained reply; undefined if it is incomplete (cut by maxTokens or abort). */
export function parseToolCallText(text: string, tools: readonly ToolDefinition[]): ToolCall | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { name, arguments: args } = value as { name?: unknown; arguments?: unknown };
  if (typeof name !== "string" || !tools.some((tool) => tool.name === name)) return undefined;
  return { id: newToolCallId(), name, arguments: args ?? {} };
}

/** node-llama-cpp function definitions for native ("auto") function calling. */
export function toChatFunctions(tools: readonly ToolDefinition[]): ChatModelFunctions {
  checkTools(tools);
  return Object.fromEntries(tools.map((tool) => [tool.name, { description: tool.description, params: toGbnfSchema(tool.parameters) }]));
}

export function fromFunctionCalls(calls: readonly LlamaChatResponseFunctionCall<ChatModelFunctions>[] | undefined): ToolCall[] {
  return (calls ?? []).map((call) => ({ id: newToolCallId(), name: call.functionName, arguments: call.params ?? {} }));
}

/** Compiling a grammar takes a few ms per tool set; agents reuse the same few sets all the time. */
export class ToolGrammarCache {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(
    private readonly llama: Llama,
    private readonly limit = 32,
  ) {}

  get(tools: readonly ToolDefinition[]): Promise<LlamaGrammar> {
    return this.cached(JSON.stringify(tools.map((tool) => [tool.name, tool.parameters])), () => this.llama.createGrammarForJsonSchema<GbnfJsonSchema>(toolCallSchema(tools)));
  }

  /** The grammar of a call in the wrapper's own syntax (nativeCall.ts). */
  getNative(tools: readonly ToolDefinition[], syntax: NativeCallSyntax): Promise<LlamaGrammar> {
    checkTools(tools);
    return this.cached(JSON.stringify(["native", syntax.paramsPrefix, tools.map((tool) => [tool.name, tool.parameters])]), () => nativeCallGrammar(this.llama, tools, syntax));
  }

  private cached(key: string, make: () => Promise<LlamaGrammar>): Promise<LlamaGrammar> {
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = make();
      grammar.catch(() => this.grammars.delete(key));
      if (this.grammars.size >= this.limit) this.grammars.delete(this.grammars.keys().next().value as string);
      this.grammars.set(key, grammar);
    }
    return grammar;
  }
}

function checkTools(tools: readonly ToolDefinition[]): void {
  const names = new Set<string>();
  for (const tool of tools) {
    if (!tool.name || !/^[A-Za-z0-9_.-]+$/.test(tool.name)) {
      throw new CladeError("invalid-argument", `Tool name "${tool.name}" is invalid.`, "Use letters, digits, '_', '-' or '.' in tool names.");
    }
    if (names.has(tool.name)) throw new CladeError("invalid-argument", `Tool "${tool.name}" is defined twice.`, "Give every tool a unique name.");
    names.add(tool.name);
  }
}
