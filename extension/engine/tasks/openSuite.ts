// One entry point for every task source. A spec is:
//   "builtin"                the built-in suite
//   "yaml"                   <workspace>/.clade/tasks.yaml
//   "repo:PATH"              tasks mined from a git repository's history
//   PATH.yaml / "yaml:PATH"  a tasks file
//   DIR / "polyglot:DIR"     a folder of Exercism / Aider-Polyglot exercises
// Suite ids use the same prefixes, so openSuite(suite.id) reopens a suite. Relative paths start at
// options.workspace when given, else at the current directory.
import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { CladeError } from "../../protocol/errors";
import { openBuiltinSuite } from "./builtinSuite";
import { openPolyglotSuite } from "./polyglotSuite";
import { openRepoSuite } from "./repoSuite";
import type { OpenSuiteOptions, TaskSuite } from "./types";
import { openYamlSuite } from "./yamlSuite";

export function openSuite(spec: string, options: OpenSuiteOptions = {}): TaskSuite {
  const trimmed = spec.trim();
  const resolve = (p: string): string => path.resolve(options.workspace ?? process.cwd(), p);
  if (trimmed === "builtin") return openBuiltinSuite();
  if (trimmed === "yaml") {
    if (!options.workspace) {
      throw new CladeError("invalid-argument", 'The suite "yaml" means <workspace>/.clade/tasks.yaml, but no workspace was given.', "Pass --workspace DIR, or give the path of the tasks file instead.");
    }
    return openYamlSuite(path.join(options.workspace, ".clade", "tasks.yaml"), options);
  }
  if (trimmed.startsWith("repo:")) return openRepoSuite(resolve(trimmed.slice(5)), options);
  if (trimmed.startsWith("yaml:")) return openYamlSuite(resolve(trimmed.slice(5)), options);
  if (trimmed.startsWith("polyglot:")) return openPolyglotSuite(resolve(trimmed.slice(9)), options);
  if (/\.ya?ml$/i.test(trimmed)) return openYamlSuite(resolve(trimmed), options);
  const dir = resolve(trimmed);
  if (trimmed && existsSync(dir) && statSync(dir).isDirectory()) return openPolyglotSuite(dir, options);
  throw new CladeError(
    "invalid-argument",
    `Unknown task suite "${spec}"${trimmed ? ` (no folder or file at ${dir})` : ""}.`,
    'Use "builtin", "yaml" (<workspace>/.clade/tasks.yaml), "repo:PATH" (mine a git repo), a tasks.yaml path, or a folder of Exercism-format exercises.',
  );
}
