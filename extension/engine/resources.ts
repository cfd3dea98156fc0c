// Files the engine needs at run time besides its own bundle: the agent harness bundle and the seed
// agent's sources. Found beside the running bundle (dist/), or through the repo layout when the
// engine runs from source (tests).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CladeError } from "../protocol/errors";

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/ when bundled; extension/engine/ when run from source. */
const roots = [path.resolve(here, ".."), path.resolve(here, "..", ".."), here];

function find(what: string, relatives: string[], fix: string): string {
  for (const root of roots) {
    for (const rel of relatives) {
      const candidate = path.join(root, rel);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new CladeError("internal", `Clade's ${what} was not found next to the engine (${here}).`, fix);
}

export function harnessBundle(): string {
  return find("agent harness (dist/agentHarness.mjs)", ["dist/agentHarness.mjs", "agentHarness.mjs"], "Run `npm run build` in the Clade folder, or reinstall the extension.");
}

export function seedAgentDir(): string {
  return find("seed agent (extension/seed-agent)", ["extension/seed-agent", "seed-agent"], "Reinstall Clade: its seed agent sources are missing.");
}
