// Reading a git repository's history without touching its working tree, index or HEAD: commits
// are written into other folders through a temporary index file.
import { randomUUID } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { prepareWrite } from "./fileEntries";

export interface CommitInfo {
  sha: string;
  parents: string[];
  subject: string;
  body: string;
}

export type ChangeStatus = "A" | "M" | "D";

export interface FileChange {
  status: ChangeStatus;
  path: string;
}

export function openGit(repo: string): SimpleGit {
  return simpleGit({ baseDir: repo, maxConcurrentProcesses: 4, allowEnvironment: ["GIT_INDEX_FILE"] });
}

/** Newest-first non-merge commits reachable from HEAD. */
/** Whether `repo` is a shallow clone (its oldest commits' parents are missing). */
export async function isShallow(repo: string): Promise<boolean> {
  return (await openGit(repo).raw(["rev-parse", "--is-shallow-repository"]).catch(() => "false")).trim() === "true";
}

export async function listCommits(repo: string, maxCount: number): Promise<CommitInfo[]> {
  const raw = await openGit(repo).raw(["log", "--no-merges", `--max-count=${maxCount}`, "--format=%H%x1f%P%x1f%s%x1f%b%x1e", "HEAD"]);
  return raw
    .split("\x1e")
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record.trim() !== "")
    .map((record) => {
      const [sha, parents, subject, body] = record.split("\x1f");
      return { sha: sha.trim(), parents: parents.trim() ? parents.trim().split(" ") : [], subject: subject ?? "", body: (body ?? "").trim() };
    });
}

/** Files a commit changed against its first parent (renames as delete + add). */
export async function changedFiles(repo: string, sha: string): Promise<FileChange[]> {
  const raw = await openGit(repo).raw(["diff-tree", "--no-commit-id", "--name-status", "-r", "--no-renames", sha]);
  const changes: FileChange[] = [];
  for (const line of raw.split("\n")) {
    const m = /^([AMDT])\t(.+)$/.exec(line);
    if (m) changes.push({ status: m[1] === "T" ? "M" : (m[1] as ChangeStatus), path: m[2] });
  }
  return changes;
}

/** Writes the full tree of `sha` into `dir` (tracked files only). */
export async function writeCommitTree(repo: string, sha: string, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const index = path.join(os.tmpdir(), `clade-index-${randomUUID()}`);
  // A fresh instance per call: env() mutates the instance it is called on.
  const git = openGit(repo).env({ ...gitBaseEnv(), GIT_INDEX_FILE: index });
  try {
    await git.raw(["read-tree", sha]);
    const prefix = path.resolve(dir) + path.sep;
    await git.raw(["checkout-index", "--all", "--force", `--prefix=${prefix.split(path.sep).join("/")}`]);
  } finally {
    await fs.rm(index, { force: true });
  }
}

/**
 * A small environment for git with a custom index. Not all of process.env: simple-git refuses
 * variables such as EDITOR, and GIT_DIR-like variables from a parent must not redirect git.
 */
function gitBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "USERPROFILE", "SystemRoot", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The bytes of `file` at commit `sha`. */
export async function readBlob(repo: string, sha: string, file: string): Promise<Buffer> {
  return openGit(repo).binaryCatFile(["blob", `${sha}:${file}`]);
}

/** Writes `file` as it is at `sha` into `dir` (replacing what is there). */
export async function writeBlob(repo: string, sha: string, file: string, dir: string): Promise<void> {
  const target = await prepareWrite(dir, file);
  await fs.writeFile(target, await readBlob(repo, sha, file));
}

/** Links the repo's untracked node_modules into a materialized tree, so its test command can run. */
export async function linkNodeModules(repo: string, dir: string): Promise<void> {
  const source = path.join(repo, "node_modules");
  const target = path.join(dir, "node_modules");
  if (!existsSync(source) || existsSync(target)) return;
  await fs.symlink(source, target, process.platform === "win32" ? "junction" : undefined);
}
