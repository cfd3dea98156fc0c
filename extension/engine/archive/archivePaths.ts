// Where an archive lives in a workspace (DESIGN.md "Archive: on-disk shape").
import path from "node:path";

export interface ArchivePaths {
  readonly workspace: string;
  /** `<workspace>/.clade` */
  readonly dir: string;
  /** `.clade/archive.jsonl`: the event log. */
  readonly log: string;
  /** `.clade/agents.git`: one commit per node. */
  readonly gitDir: string;
  /** `.clade/archive.lock`: the writing process. */
  readonly lock: string;
  /** `.clade/runs`: trajectories, `<node>/<task>.jsonl`. */
  readonly runs: string;
  /** `.clade/adapters`: LoRA adapters, `<id>.gguf`. */
  readonly adapters: string;
}

export function archivePaths(workspace: string): ArchivePaths {
  const root = path.resolve(workspace);
  const dir = path.join(root, ".clade");
  return {
    workspace: root,
    dir,
    log: path.join(dir, "archive.jsonl"),
    gitDir: path.join(dir, "agents.git"),
    lock: path.join(dir, "archive.lock"),
    runs: path.join(dir, "runs"),
    adapters: path.join(dir, "adapters"),
  };
}
