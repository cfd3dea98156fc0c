#!/usr/bin/env node
// Entry point of the `clade` CLI: the bundle built by `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));
if (!existsSync(bundle)) {
  console.error("clade: the CLI is not built yet. Run `npm install && npm run build` in the Clade folder first.");
  process.exit(2);
}
await import(bundle);
