// Tool JSON schemas -> node-llama-cpp's grammar subset, and the "required" tool-call schema.
import { describe, expect, it } from "vitest";
import { toGbnfSchema } from "../../extension/engine/model/jsonSchemaToGbnf";
import { parseToolCallText, toolCallSchema } from "../../extension/engine/model/toolCalls";
import { CladeError } from "../../extension/protocol/errors";

describe("toGbnfSchema", () => {
  it("keeps what the grammar supports and drops what it cannot express", () => {
    expect(
      toGbnfSchema({
        type: "object",
        description: "args",
        properties: {
          path: { type: "string", minLength: 1, pattern: "^/" },
          count: { type: "integer", minimum: 0 },
          mode: { enum: ["a", "b", { bad: 1 }] },
          when: { type: "string", format: "date" },
          tags: { type: "array", items: { type: "string" }, maxItems: 3 },
        },
        required: ["path"],
      }),
    ).toEqual({
      type: "object",
      description: "args",
      properties: {
        path: { type: "string", minLength: 1 },
        count: { type: "integer" },
        mode: { enum: ["a", "b"] },
        when: { type: "string", format: "date" },
        tags: { type: "array", items: { type: "string" }, maxItems: 3 },
      },
      additionalProperties: false,
    });
  });

  it("turns anyOf into oneOf, type lists into alternatives, and definitions into $defs", () => {
    expect(toGbnfSchema({ anyOf: [{ type: "string" }, { type: "null" }] })).toEqual({ oneOf: [{ type: "string" }, { type: "null" }] });
    expect(toGbnfSchema({ type: ["string", "null", "array"], items: { type: "number" } })).toEqual({ oneOf: [{ type: ["string", "null"] }, { type: "array", items: { type: "number" } }] });
    expect(toGbnfSchema({ type: "object", properties: { n: { $ref: "#/definitions/Node" } }, definitions: { Node: { type: "string" } } })).toEqual({
      type: "object",
      properties: { n: { $ref: "#/$defs/Node" } },
      additionalProperties: false,
      $defs: { Node: { type: "string" } },
    });
  });

  it("lets free-form objects and untyped schemas take any JSON", () => {
    expect(toGbnfSchema({ type: "object" })).toEqual({ type: "object", additionalProperties: true });
    expect(toGbnfSchema({})).toMatchObject({ oneOf: expect.arrayContaining([{ type: "object", additionalProperties: true }]) });
  });
});

describe("toolCallSchema / parseToolCallText", () => {
  const tools = [
    { name: "a", description: "A", parameters: { type: "object", properties: { x: { type: "number" } } } },
    { name: "b", description: "B", parameters: { type: "object", properties: {} } },
  ];

  it("is a oneOf over {name: const, arguments: schema}, one per tool", () => {
    const schema = toolCallSchema(tools) as unknown as { oneOf: { properties: { name: unknown } }[] };
    expect(schema.oneOf.map((alternative) => alternative.properties.name)).toEqual([{ const: "a" }, { const: "b" }]);
  });

  it("rejects duplicate or malformed tool names", () => {
    expect(() => toolCallSchema([tools[0], tools[0]])).toThrow(CladeError);
    expect(() => toolCallSchema([{ ...tools[0], name: "has space" }])).toThrow(/invalid/);
  });

  it("parses complete calls of known tools and nothing else", () => {
    expect(parseToolCallText('{"name": "a", "arguments": {"x": 1}}', tools)).toMatchObject({ name: "a", arguments: { x: 1 } });
    expect(parseToolCallText('{"name": "a", "argu', tools)).toBeUndefined();
    expect(parseToolCallText('{"name": "zzz", "arguments": {}}', tools)).toBeUndefined();
  });
});
