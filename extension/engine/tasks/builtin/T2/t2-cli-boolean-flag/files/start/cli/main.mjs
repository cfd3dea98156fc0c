import { parseArgs } from "./parse-args.mjs";

const spec = { greeting: { type: "string", default: "Hello" } };

export function run(argv) {
  const { flags, positionals } = parseArgs(argv, spec);
  return positionals.map((name) => flags.greeting + ", " + name + "!").join("\n");
}
