// Where the built-in tasks live on disk. They are data (extension/engine/tasks/builtin/), not code:
// from source (vitest) they sit beside this file; from a bundle in dist/ (or a chunk in
// dist/engine-chunks/) they are found through the repo/extension layout above it, or a copy at
// dist/tasks/builtin. CLADE_BUILTIN_TASKS overrides all of these.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CladeError } from "../../protocol/errors";

function thisDir(): string {
  return path.dirname(fileURLToPath(import.meta.url));
}

export function builtinTasksDir(): string {
  const fromEnv = process.env.CLADE_BUILTIN_TASKS;
  const here = thisDir();
  const above = [here, path.dirname(here), path.dirname(path.dirname(here))];
  const candidates = [
    ...(fromEnv ? [fromEnv] : []),
    path.join(here, "builtin"),
    ...above.flatMap((dir) => [path.join(dir, "tasks", "builtin"), path.join(dir, "extension", "engine", "tasks", "builtin")]),
  ];
  for (const candidate of candidates) {
    if (existsSync(path.join(candidate, "T0"))) return candidate;
  }
  throw new CladeError(
    "invalid-tasks",
    `The built-in task suite was not found (looked in ${candidates.join(", ")}).`,
    "Reinstall Clade, or set CLADE_BUILTIN_TASKS to the folder extension/engine/tasks/builtin.",
  );
}
