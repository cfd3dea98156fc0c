/** Parses argv (without node and script) into { flags, positionals }. */
export function parseArgs(argv, spec) {
  const flags = {};
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith("--")) {
      const name = arg.slice(2);
      if (!(name in spec)) throw new Error("unknown option --" + name);
      flags[name] = argv[++i];
    } else positionals.push(arg);
  }
  for (const [name, def] of Object.entries(spec)) if (!(name in flags)) flags[name] = def.default;
  return { flags, positionals };
}
