// The test command for an exercise. A JavaScript exercise's own package.json test script is used
// when it can run offline as it is (it starts with `node`, or its tool is in node_modules/.bin);
// otherwise (e.g. "jest" with no node_modules, as Exercism ships it) the tests run under plain
// `node --test` with the Jest-compatibility shim.
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { CladeError } from "../../protocol/errors";
import { jestShimCommand, shellQuote } from "./jestShim";

export async function polyglotTestCommand(dir: string, language: string, testFiles: readonly string[]): Promise<string> {
  switch (language) {
    case "javascript":
    case "typescript": {
      const script = await packageTestScript(dir);
      if (script && scriptRunsOffline(dir, script)) return script.trim().startsWith("node") ? script : "npm test --silent";
      if (language === "typescript") break;
      return jestShimCommand(testFiles);
    }
    case "python":
      return `python3 -m pytest -q ${testFiles.map(shellQuote).join(" ")}`;
    case "go":
      return "go test ./...";
    case "rust":
      return "cargo test --offline";
  }
  throw new CladeError(
    "test-command-missing",
    `No test command is known for the ${language} exercise in ${dir}.`,
    "Pass the command that runs its tests (e.g. `--test-command \"npm test\"`), or set `testCommand:` in .clade/config.yaml.",
  );
}

async function packageTestScript(dir: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await fs.readFile(path.join(dir, "package.json"), "utf8")) as { scripts?: Record<string, unknown> };
    const script = pkg.scripts?.test;
    return typeof script === "string" && !/no test specified/.test(script) ? script : undefined;
  } catch {
    return undefined;
  }
}

function scriptRunsOffline(dir: string, script: string): boolean {
  const words = script.trim().split(/\s+/).filter((w) => !/^\w+=/.test(w)); // skip VAR=value prefixes
  const tool = words[0];
  if (!tool) return false;
  if (tool === "node") return true;
  return existsSync(path.join(dir, "node_modules", ".bin", tool));
}
