import { parseArgs } from "./parse-args.mjs";

const spec = { greeting: { type: "string", default: "Hello" }, upper: { type: "boolean" } };

export function run(argv) {
  const { flags, positionals } = parseArgs(argv, spec);
  const text = positionals.map((name) => flags.greeting + ", " + name + "!").join("\n");
  return flags.upper ? text.toUpperCase() : text;
}
