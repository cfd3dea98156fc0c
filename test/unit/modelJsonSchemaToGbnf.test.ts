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
        required: ["path", "count", "mode", "when", "tags"],
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
    expect(toGbnfSchema({ type: "object", properties: { n: { $ref: "#/definitions/Node" } }, required: ["n"], definitions: { Node: { type: "string" } } })).toEqual({
      type: "object",
      properties: { n: { $ref: "#/$defs/Node" } },
      additionalProperties: false,
      $defs: { Node: { type: "string" } },
    });
  });

  it("honours required: optional keys may be left out (a oneOf over the allowed key sets)", () => {
    const edit = toGbnfSchema({ type: "object", properties: { path: { type: "string" }, start_line: { type: "integer" }, end_line: { type: "integer" } }, required: ["path"] });
    const keySets = (edit as unknown as { oneOf: { properties: object }[] }).oneOf.map((alternative) => Object.keys(alternative.properties).join(","));
    expect(keySets).toEqual(["path", "path,start_line", "path,end_line", "path,start_line,end_line"]);
    // No `required`: every key is optional, the empty object included.
    expect((toGbnfSchema({ type: "object", properties: { dir: { type: "string" } } }) as { oneOf: unknown[] }).oneOf).toEqual([
      { type: "object", properties: {}, additionalProperties: false },
      { type: "object", properties: { dir: { type: "string" } }, additionalProperties: false },
    ]);
    // Past the cap: none, each alone, all.
    const many = toGbnfSchema({ type: "object", properties: Object.fromEntries(["a", "b", "c", "d", "e"].map((k) => [k, { type: "boolean" }])) }) as unknown as { oneOf: { properties: object }[] };
    expect(many.oneOf.map((alternative) => Object.keys(alternative.properties).join(""))).toEqual(["", "a", "b", "c", "d", "e", "abcde"]);
    // All required: one plain object, as before.
    expect(toGbnfSchema({ type: "object", properties: { p: { type: "string" } }, required: ["p"] })).toEqual({ type: "object", properties: { p: { type: "string" } }, additionalProperties: false });
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
