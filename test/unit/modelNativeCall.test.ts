// Required tool calls in the wrapper's own syntax (model/nativeCall.ts): the syntax read off the
// chat wrapper, the composed grammar's rules, parsing, and the reply room of a sequence.
import { Llama3_1ChatWrapper, MistralChatWrapper, QwenChatWrapper, type LlamaContextSequence } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { nativeCallSyntax, parseNativeCall, renameRules, textOf } from "../../extension/engine/model/nativeCall";
import { replyRoom } from "../../extension/engine/model/requiredCall";

const tools = [{ name: "read_file", description: "", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } }];

describe("nativeCallSyntax", () => {
  it("reads Qwen's <tool_call> syntax; the suffix's plain text is sampled, its special tokens appended", () => {
    const syntax = nativeCallSyntax(new QwenChatWrapper(), "{{ '<|im_start|>' }}")!;
    expect(textOf(syntax.prefix)).toBe('<tool_call>\n{"name": "');
    expect(syntax.paramsPrefix).toBe('", "arguments": ');
    // The JSON's last characters and "}\n" form one token in a Qwen-style vocabulary ("}}\n"):
    // a grammar that stopped at the JSON would forbid the token the model learned to write.
    expect(syntax.suffixText).toBe("}\n");
    expect(textOf(syntax.suffix)).toBe("}\n</tool_call>");
    expect(syntax.thought).toBeUndefined();
  });

  it("lets a template that writes <think> think first", () => {
    expect(nativeCallSyntax(new QwenChatWrapper(), "{%- if enable_thinking %}<think>\n{% endif %}")?.thought).toBeDefined();
  });

  it("writes Mistral's calls inside their [TOOL_CALLS][…] section, as the history renders them", () => {
    const syntax = nativeCallSyntax(new MistralChatWrapper())!;
    expect(textOf(syntax.prefix)).toBe('[TOOL_CALLS][{"name": "');
    expect(syntax.suffixText).toBe("}]");
  });

  it("covers Llama 3.1's <function=name> syntax, whose suffix is all special text", () => {
    const syntax = nativeCallSyntax(new Llama3_1ChatWrapper())!;
    expect(syntax.paramsPrefix).toBe(">");
    expect(syntax.suffixText).toBe("");
  });
});

describe("parseNativeCall", () => {
  const syntax = { paramsPrefix: '", "arguments": ', suffixText: "}\n" };
  it("parses a complete call only when the suffix's text is there", () => {
    expect(parseNativeCall('read_file", "arguments": {"path": "a.js"}}\n', tools, syntax)).toMatchObject({ name: "read_file", arguments: { path: "a.js" } });
    expect(parseNativeCall('read_file", "arguments": {"path": "a.js"}', tools, syntax)).toBeUndefined();
    expect(parseNativeCall('read_file", "arguments": {"path": "a.js"}}', tools, syntax)).toBeUndefined();
    expect(parseNativeCall('nope", "arguments": {}}\n', tools, syntax)).toBeUndefined();
  });
});

describe("renameRules", () => {
  it("prefixes rule names outside strings and classes, and drops the JSON grammar's trailing newlines", () => {
    const grammar = 'root ::= ( rule0 ) "\\n\\n\\n\\n" [\\n]*\nrule0 ::= "{" string-rule "rule0" [a-z]\nstring-rule ::= "\\"" [^"]* "\\""';
    const { root, rules } = renameRules(grammar, "t0-");
    expect(root).toBe("( ( t0-rule0 ) )");
    expect(rules).toEqual(['t0-rule0 ::= "{" t0-string-rule "rule0" [a-z]', 't0-string-rule ::= "\\"" [^"]* "\\""']);
  });
});

describe("replyRoom", () => {
  const sequence = { contextSize: 2048 } as LlamaContextSequence;
  it("shrinks the reply to what the sequence has left instead of giving up the grammar path", () => {
    expect(replyRoom(sequence, 1000, 768)).toBe(768);
    expect(replyRoom(sequence, 1235, 768, 32)).toBe(768);
    expect(replyRoom(sequence, 1500, 768, 32)).toBe(516);
    expect(replyRoom(sequence, 2040, 768)).toBe(0);
  });
});
