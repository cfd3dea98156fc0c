// Converts a tool's JSON schema into the subset node-llama-cpp's grammar compiler understands
// (GbnfJsonSchema). Differences that matter:
// - anyOf becomes oneOf (the grammar accepts any listed alternative either way);
// - GBNF objects have no optional keys (node-llama-cpp's grammar generates every listed property),
//   so an object with optional properties becomes a oneOf over the allowed key sets: the required
//   keys plus each subset of the optional ones, in the declared order (a model must be able to leave
//   an optional argument out — a forced `content` key turned every edit into a whole-file write).
//   With more than MAX_SUBSET_OPTIONALS optional keys the sets are: none, each one alone, and all;
//   objects without `properties` accept any keys;
// - keywords the grammar cannot express (pattern, minimum, maximum, allOf with several parts...)
//   are dropped, so the output always parses as JSON of the right shape but may need checking.
import type { GbnfJsonSchema } from "node-llama-cpp";
import type { JsonSchema } from "../../protocol/model";

type Schema = Record<string, unknown>;
type Primitive = string | number | boolean | null;

const primitiveTypes = ["string", "number", "integer", "boolean", "null"] as const;
const anyValue: Schema = { oneOf: [{ type: [...primitiveTypes] }, { type: "object", additionalProperties: true }, { type: "array" }] };

export function toGbnfSchema(schema: JsonSchema | boolean | undefined): GbnfJsonSchema {
  const root = isObject(schema) ? schema : {};
  const defs = { ...asSchemaMap(root.definitions), ...asSchemaMap(root.$defs) };
  const converted = convert(schema);
  if (Object.keys(defs).length === 0) return converted as GbnfJsonSchema;
  const $defs = Object.fromEntries(Object.entries(defs).map(([name, def]) => [name, convert(def)]));
  return { ...converted, $defs } as GbnfJsonSchema;
}

function convert(schema: unknown): Schema {
  if (!isObject(schema)) return anyValue;
  const description = typeof schema.description === "string" ? { description: schema.description } : {};
  if (typeof schema.$ref === "string") return { $ref: schema.$ref.replace(/^#\/definitions\//, "#/$defs/"), ...description };
  if ("const" in schema && isPrimitive(schema.const)) return { const: schema.const, ...description };
  if (Array.isArray(schema.enum)) return { enum: schema.enum.filter(isPrimitive) as Primitive[], ...description };
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) return { oneOf: alternatives.map(convert), ...description };
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return convert(schema.allOf[0]);
  const type = inferType(schema);
  if (Array.isArray(type)) return convertTypeList(schema, type, description);
  return { ...convertOne(schema, type), ...description };
}

function convertTypeList(schema: Schema, types: string[], description: Schema): Schema {
  const structured = types.filter((type) => type === "object" || type === "array");
  const primitives = types.filter((type) => (primitiveTypes as readonly string[]).includes(type));
  const parts = [...(primitives.length > 0 ? [{ type: primitives }] : []), ...structured.map((type) => convertOne(schema, type))];
  if (parts.length === 0) return anyValue;
  return parts.length === 1 ? { ...parts[0], ...description } : { oneOf: parts, ...description };
}

function convertOne(schema: Schema, type: string | undefined): Schema {
  switch (type) {
    case "object":
      return convertObject(schema);
    case "array":
      return pick(schema, { type: "array", ...(schema.items !== undefined ? { items: convert(schema.items) } : {}), ...(Array.isArray(schema.prefixItems) ? { prefixItems: schema.prefixItems.map(convert) } : {}) }, ["minItems", "maxItems"]);
    case "string":
      if (schema.format === "date-time" || schema.format === "date" || schema.format === "time") return { type: "string", format: schema.format };
      return pick(schema, { type: "string" }, ["minLength", "maxLength"]);
    case "number":
    case "integer":
    case "boolean":
    case "null":
      return { type };
    default:
      return anyValue;
  }
}

/** Above this many optional properties, not every subset gets an alternative (2^n grows fast). */
export const MAX_SUBSET_OPTIONALS = 4;

function convertObject(schema: Schema): Schema {
  const properties = isObject(schema.properties) ? schema.properties : undefined;
  const extra = schema.additionalProperties;
  const additionalProperties = extra === undefined ? properties === undefined : isObject(extra) ? convert(extra) : extra === true;
  const object = (keys: readonly string[]): Schema =>
    pick(
      schema,
      {
        type: "object",
        ...(properties ? { properties: Object.fromEntries(keys.map((key) => [key, convert(properties[key])])) } : {}),
        additionalProperties,
      },
      ["minProperties", "maxProperties"],
    );
  if (!properties) return object([]);
  const keys = Object.keys(properties);
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === "string") : []);
  const optional = keys.filter((key) => !required.has(key));
  if (optional.length === 0) return object(keys);
  const alternatives = keySets(optional).map((chosen) => object(keys.filter((key) => required.has(key) || chosen.has(key))));
  return alternatives.length === 1 ? alternatives[0] : { oneOf: alternatives };
}

/** The sets of optional keys a call may carry: every subset, or (past the cap) none, each alone, all. */
function keySets(optional: readonly string[]): Set<string>[] {
  if (optional.length > MAX_SUBSET_OPTIONALS) return [new Set(), ...optional.map((key) => new Set([key])), new Set(optional)];
  return Array.from({ length: 2 ** optional.length }, (_, mask) => new Set(optional.filter((_, i) => mask & (1 << i))));
}

function inferType(schema: Schema): string | string[] | undefined {
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) return schema.type.filter((type): type is string => typeof type === "string");
  if (schema.properties !== undefined || schema.additionalProperties !== undefined) return "object";
  if (schema.items !== undefined || schema.prefixItems !== undefined) return "array";
  return undefined;
}

function pick(schema: Schema, base: Schema, numericKeys: string[]): Schema {
  const extra = Object.fromEntries(numericKeys.filter((key) => typeof schema[key] === "number").map((key) => [key, schema[key]]));
  return { ...base, ...extra };
}

function asSchemaMap(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is Primitive {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}
