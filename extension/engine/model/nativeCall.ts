// "required" tool calls in the model family's own syntax. Models are trained on their family's
// tool-call format (Qwen `<tool_call>{"name", "arguments"}</tool_call>`, Mistral `[TOOL_CALLS]`,
// node-llama-cpp's Llama-3.1 `<function=name>{...}</function>`...), and the chat wrapper knows it
// (settings.functions.call: prefix + name + paramsPrefix + params JSON + suffix). A required call is
// generated as exactly that text, and still always parses:
//   1. (thinking models) the wrapper's thought prefix, then free text up to its suffix or a budget;
//   2. the call prefix is fed as prompt (it is the same for every call);
//   3. the tool name, the params prefix, the params JSON and the plain-text start of the suffix
//      (Qwen's `}\n`) are sampled under a grammar: one alternative per tool, its JSON schema
//      (model/jsonSchemaToGbnf.ts) for the params. The suffix's text belongs in the grammar: the
//      tokenizer merges the JSON's last characters with it (`"}}\n` is one token of a Qwen-style
//      vocabulary), and a grammar that ended at the JSON would forbid the very token the model
//      learned to write there;
//   4. the rest of the suffix (special tokens such as `</tool_call>`) is appended.
// The history renders earlier calls the same way (the wrapper's own functionCall rendering), so the
// model sees its past calls in the format it writes them, and training renders the same text.
import { LlamaGrammarEvaluationState, LlamaText, SpecialTokensText, type ChatWrapper, type GbnfJsonSchema, type Llama, type LlamaContextSequence, type LlamaGrammar, type Token, type Tokenizer } from "node-llama-cpp";
import type { ToolCall, ToolDefinition } from "../../protocol/model";
import { toGbnfSchema } from "./jsonSchemaToGbnf";
import { reuseCachedPrefix } from "./requiredCall";
import { BarrierStep, type StepBarrier } from "./stepBarrier";
import { newToolCallId } from "./toolCalls";

export interface NativeCallSyntax {
  prefix: LlamaText;
  /** Plain text between the name and the params (sampled under the grammar). */
  paramsPrefix: string;
  suffix: LlamaText;
  /** The suffix's leading plain text (sampled under the grammar); the rest is appended. */
  suffixText: string;
  /** The wrapper's thought segment, when the model's template uses it (Qwen3 `<think>`). */
  thought?: { prefix: LlamaText; suffix: LlamaText };
}

/**
 * The wrapper's call syntax, when a required call can be written in it: the params prefix must be
 * plain text (it is sampled) and must not depend on the function name beyond a plain substitution.
 */
export function nativeCallSyntax(wrapper: ChatWrapper, chatTemplate?: string | null): NativeCallSyntax | undefined {
  const call = wrapper.settings.functions?.call;
  if (!call) return undefined;
  const paramsPrefix = plainText(LlamaText(call.paramsPrefix));
  if (paramsPrefix === undefined || paramsPrefix.includes("{{functionName}}") || plainText(LlamaText(call.prefix))?.includes("{{functionName}}")) return undefined;
  const segment = wrapper.settings.segments?.thought;
  const thoughtPrefix = segment ? LlamaText(segment.prefix as string | LlamaText) : undefined;
  const marker = thoughtPrefix ? textOf(thoughtPrefix).trim() : "";
  // Only a template that writes thoughts itself makes a thinking model (Qwen2.5's wrapper has the segment too).
  const thinking = segment && marker && typeof chatTemplate === "string" && chatTemplate.includes(marker);
  // A wrapper that writes calls in a section (Mistral's `[TOOL_CALLS][…]`) renders a call inside it,
  // so a required call starts with the section's prefix and its text runs on into the section's end.
  const section = wrapper.settings.functions?.parallelism?.call;
  const suffix = LlamaText(call.suffix);
  const ending = LlamaText([call.suffix, section?.sectionSuffix ?? ""]);
  const firstSpecial = ending.values.findIndex((value) => typeof value !== "string");
  const suffixText = (firstSpecial < 0 ? ending.values : ending.values.slice(0, firstSpecial)).join("");
  return {
    prefix: LlamaText([section?.sectionPrefix ?? "", call.prefix]),
    paramsPrefix,
    suffix,
    suffixText,
    ...(thinking && segment ? { thought: { prefix: LlamaText(segment.prefix as string | LlamaText), suffix: LlamaText((segment.suffix ?? "") as string | LlamaText) } } : {}),
  };
}

/** The text of a LlamaText, special-token texts included; builtin special tokens (BOS...) as nothing. */
export function textOf(text: LlamaText): string {
  return text.values.map((value) => (typeof value === "string" ? value : value instanceof SpecialTokensText ? value.value : "")).join("");
}

/** The text, when it has no builtin special token (those cannot be sampled under a grammar). */
function plainText(text: LlamaText): string | undefined {
  return text.values.every((value) => typeof value === "string" || value instanceof SpecialTokensText) ? textOf(text) : undefined;
}

/** The grammar of step 3: one alternative per tool, `"<name>" "<paramsPrefix>" <params JSON>`. */
export async function nativeCallGrammar(llama: Llama, tools: readonly ToolDefinition[], syntax: NativeCallSyntax): Promise<LlamaGrammar> {
  const rules: string[] = [];
  const alternatives: string[] = [];
  for (const [i, tool] of tools.entries()) {
    const json = await llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGbnfSchema(tool.parameters));
    const renamed = renameRules(json.grammar, `t${i}-`);
    rules.push(...renamed.rules);
    alternatives.push(`${gbnfString(tool.name + syntax.paramsPrefix)} ${renamed.root}${syntax.suffixText ? ` ${gbnfString(syntax.suffixText)}` : ""}`);
  }
  const grammar = [`root ::= ${alternatives.map((a) => `( ${a} )`).join(" | ")}`, ...rules].join("\n");
  return llama.createGrammar({ grammar });
}

/** Prefixes every rule name of a GBNF text; the root rule loses the JSON grammar's trailing newlines. */
export function renameRules(grammar: string, prefix: string): { root: string; rules: string[] } {
  const lines = grammar.split("\n").filter((line) => line.trim());
  const names = new Set(lines.map((line) => line.slice(0, line.indexOf("::=")).trim()));
  let root = "";
  const rules: string[] = [];
  for (const line of lines) {
    const at = line.indexOf("::=");
    const name = line.slice(0, at).trim();
    const body = renameInBody(line.slice(at + 3), names, prefix);
    if (name === "root") root = `( ${body.replace(/\s*"\\n\\n\\n\\n"\s*\[\\n\]\*\s*$/, "").trim()} )`;
    else rules.push(`${prefix}${name} ::=${body}`);
  }
  return { root, rules };
}

function renameInBody(body: string, names: Set<string>, prefix: string): string {
  let out = "";
  for (let i = 0; i < body.length; ) {
    const ch = body[i];
    if (ch === '"' || ch === "[") {
      const close = ch === '"' ? '"' : "]";
      let j = i + 1;
      while (j < body.length && body[j] !== close) j += body[j] === "\\" ? 2 : 1;
      out += body.slice(i, j + 1);
      i = j + 1;
    } else if (/[a-zA-Z]/.test(ch)) {
      let j = i;
      while (j < body.length && /[a-zA-Z0-9-]/.test(body[j])) j++;
      const word = body.slice(i, j);
      out += names.has(word) ? prefix + word : word;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function gbnfString(text: string): string {
  return JSON.stringify(text).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Step 3's text -> the call, when the params JSON and the suffix's text are complete. */
export function parseNativeCall(text: string, tools: readonly ToolDefinition[], syntax: Pick<NativeCallSyntax, "paramsPrefix" | "suffixText">): ToolCall | undefined {
  if (!text.endsWith(syntax.suffixText)) return undefined;
  const body = text.slice(0, text.length - syntax.suffixText.length);
  for (const tool of tools) {
    const head = tool.name + syntax.paramsPrefix;
    if (!body.startsWith(head)) continue;
    try {
      const params = JSON.parse(body.slice(head.length)) as unknown;
      if (typeof params === "object" && params !== null && !Array.isArray(params)) return { id: newToolCallId(), name: tool.name, arguments: params };
    } catch {
      // incomplete
    }
  }
  return undefined;
}

export interface NativeCallRequest {
  sequence: LlamaContextSequence;
  tokenizer: Tokenizer;
  prompt: Token[];
  tools: readonly ToolDefinition[];
  syntax: NativeCallSyntax;
  grammar: LlamaGrammar;
  /** Tokens for the whole reply (thought + call). */
  maxTokens: number;
  /** Most tokens a thinking model may think before it must call (then its thought is closed for it). */
  thinkingBudget: number;
  sampling: { temperature?: number; topK?: number; topP?: number; seed?: number };
  signal?: AbortSignal;
  onFirstToken: () => void;
  /** Keeps this context's generations in step (shared decode batches); none: no waiting. */
  barrier?: StepBarrier;
}

export interface NativeCallResult {
  /** The reply as the model wrote it: thought (if any), prefix, call, suffix. */
  text: string;
  thought?: string;
  call?: ToolCall;
  stop: "eos" | "maxTokens" | "aborted";
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

export async function generateNativeCall(request: NativeCallRequest): Promise<NativeCallResult> {
  const { sequence, prompt, syntax, tokenizer } = request;
  const cached = await reuseCachedPrefix(sequence, prompt);
  const tokenize = (text: LlamaText) => text.tokenize(tokenizer, "trimLeadingSpace");
  const result: NativeCallResult = { text: "", stop: "eos", promptTokens: prompt.length, cachedPromptTokens: cached, completionTokens: 0 };
  let pending: Token[] = prompt.slice(cached);
  let produced = 0;
  const aborted = () => request.signal?.aborted === true;

  if (syntax.thought && !aborted()) {
    const open = tokenize(syntax.thought.prefix);
    const closeText = textOf(syntax.thought.suffix).trim();
    const thought: Token[] = [];
    let closed = false;
    const budget = Math.min(request.thinkingBudget, Math.max(0, request.maxTokens - 64));
    const thinking = new BarrierStep(request.barrier);
    try {
      for await (const token of sequence.evaluate([...pending, ...open], { ...request.sampling })) {
        request.onFirstToken();
        thought.push(token);
        if (aborted()) break;
        if (tokenizer.isEogToken(token)) {
          thought.pop();
          break;
        }
        const text = tokenizer.detokenize(thought, true);
        if (closeText && text.includes(closeText)) {
          closed = true;
          break;
        }
        if (thought.length >= budget) break;
        await thinking.next();
      }
    } finally {
      thinking.done();
    }
    produced += thought.length;
    const text = tokenizer.detokenize(thought, true);
    result.thought = closed ? text.slice(0, text.indexOf(closeText)).trim() : text.trim();
    // The last sampled token is not in the sequence yet; a thought cut by the budget is closed for the model.
    pending = closed ? thought.slice(-1) : [...thought.slice(-1), ...tokenize(syntax.thought.suffix)];
    pending.push(...tokenize(LlamaText("\n\n")));
    result.text = `${textOf(syntax.thought.prefix)}${result.thought}${textOf(syntax.thought.suffix)}\n\n`;
    if (aborted()) return { ...result, stop: "aborted", completionTokens: produced };
  }

  const grammarEvaluationState = new LlamaGrammarEvaluationState({ model: sequence.model, grammar: request.grammar });
  const tokens: Token[] = [];
  if (aborted()) result.stop = "aborted";
  else {
    const step = new BarrierStep(request.barrier);
    try {
      for await (const token of sequence.evaluate([...pending, ...tokenize(syntax.prefix)], { ...request.sampling, grammarEvaluationState })) {
        request.onFirstToken();
        tokens.push(token);
        if (aborted()) {
          result.stop = "aborted";
          break;
        }
        if (tokenizer.isEogToken(token)) {
          tokens.pop();
          break;
        }
        if (tokenizer.detokenize(tokens.slice(-2)).includes(syntax.suffixText.at(-1) ?? "}")) {
          const call = parseNativeCall(tokenizer.detokenize(tokens), request.tools, syntax);
          if (call) {
            result.call = call;
            break;
          }
        }
        if (produced + tokens.length >= request.maxTokens) {
          result.stop = "maxTokens";
          break;
        }
        await step.next();
      }
    } finally {
      step.done();
    }
  }
  const callSuffix = textOf(syntax.suffix);
  result.text += `${textOf(syntax.prefix)}${tokenizer.detokenize(tokens)}${result.call ? callSuffix.slice(Math.min(syntax.suffixText.length, callSuffix.length)) : ""}`;
  return { ...result, completionTokens: produced + tokens.length };
}
