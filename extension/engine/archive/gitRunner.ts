// Runs git (through simple-git) against the archive's bare repository with a small, explicit
// environment: GIT_DIR always names the archive repository, so a repository around the workspace or
// a GIT_* variable inherited from the parent never redirects a command.
import { simpleGit, type SimpleGit } from "simple-git";

export interface GitCall {
  /** Working directory (defaults to the repository itself). */
  readonly cwd?: string;
  /** Extra GIT_* variables (GIT_INDEX_FILE, GIT_WORK_TREE). */
  readonly env?: Readonly<Record<string, string>>;
  /** Text written to git's stdin. */
  readonly input?: string;
}

const ALLOWED = [
  "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
  "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
];

/** Who archive commits are by: the archive, not the user (no git identity needs to be set up). */
const IDENTITY = { GIT_AUTHOR_NAME: "Clade", GIT_AUTHOR_EMAIL: "clade@localhost", GIT_COMMITTER_NAME: "Clade", GIT_COMMITTER_EMAIL: "clade@localhost" };

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "USERPROFILE", "SystemRoot", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** A fresh simple-git instance for one call (its env() and input are per instance). */
export function gitFor(gitDir: string, call: GitCall = {}): SimpleGit {
  const input = call.input;
  const git = simpleGit({
    baseDir: call.cwd ?? gitDir,
    maxConcurrentProcesses: 4,
    allowEnvironment: ALLOWED,
    ...(input !== undefined ? { input: () => input } : {}),
  });
  return git.env({ ...baseEnv(), ...IDENTITY, GIT_DIR: gitDir, ...call.env });
}

/** `git <args>` → stdout. */
export function git(gitDir: string, args: readonly string[], call: GitCall = {}): Promise<string> {
  return gitFor(gitDir, call).raw([...args]);
}
