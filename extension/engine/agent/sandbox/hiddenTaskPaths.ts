// What the agent's commands must not see in bwrap mode (they are hidden behind an empty tmpfs):
// where the task came from — the suite's folder or file, or the mined repository, which hold the
// hidden tests and reference solutions (a repo in its history) — and the workspace's .clade/
// archive. The process mode cannot hide paths (see RELIABILITY.md); the agent's own code is
// confined by Node's permission model in both modes.
import path from "node:path";
import { builtinTasksDir } from "../../tasks/builtinDir";

export function hiddenTaskPaths(suite: string, runsDir?: string): string[] {
  const hidden: string[] = [];
  if (suite === "builtin") {
    try {
      hidden.push(builtinTasksDir());
    } catch {
      // no built-in tasks on disk: nothing to hide
    }
  }
  const prefixed = /^(polyglot|repo|yaml):(.+)$/.exec(suite);
  if (prefixed) hidden.push(prefixed[1] === "yaml" ? path.dirname(prefixed[2]!) : prefixed[2]!);
  // Trajectories live in <workspace>/.clade/runs: the archive is their parent.
  if (runsDir && path.basename(runsDir) === "runs" && path.basename(path.dirname(runsDir)) === ".clade") hidden.push(path.dirname(runsDir));
  return hidden.filter((p) => path.isAbsolute(p) && p !== path.parse(p).root);
}
