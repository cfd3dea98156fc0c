// The user's workspace as the agent gets it for an ask: the files as they are NOW (uncommitted
// changes and new files included), without what git ignores (build output, node_modules) and
// without Clade's own `.clade/` folder. In a git work tree git itself lists the files
// (`ls-files --cached --others --exclude-standard`); elsewhere a walk skips the usual heavy folders
// and whatever the root .gitignore names (the `ignore` package reads it as git does).
import { createHash } from "node:crypto";
import { existsSync, lstatSync, promises as fs } from "node:fs";
import path from "node:path";
import ignore from "ignore";
import { simpleGit } from "simple-git";
import { CladeError } from "../../protocol/errors";

/** Folders never copied, with or without git. */
const ALWAYS_SKIPPED = new Set([".git", ".clade", "node_modules"]);
/** An ask works on a source tree, not a disk image: past these, the user should narrow the workspace. */
export const SNAPSHOT_LIMITS = { files: 5000, bytes: 64 * 1024 * 1024 };

export interface SnapshotFile {
  /** Relative, with "/" separators. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface WorkspaceSnapshot {
  files: SnapshotFile[];
  /** HEAD of the workspace's git repository, when it is one (the "commit before" of a saved task). */
  head: string | null;
  /** True when the work tree differs from HEAD (the ask saw uncommitted changes). */
  dirty: boolean;
}

/** The files of `workspace` an ask copies, relative paths sorted. */
export async function listWorkspaceFiles(workspace: string): Promise<{ paths: string[]; head: string | null; dirty: boolean }> {
  const root = path.resolve(workspace);
  const git = await gitInfo(root);
  const listed = git ? git.paths : await walk(root);
  const paths = listed.filter((p) => !p.split("/").some((part) => ALWAYS_SKIPPED.has(part)) && isRegularFile(path.join(root, p))).sort();
  return { paths, head: git?.head ?? null, dirty: git?.dirty ?? false };
}

/** Copies the workspace's files into `dest` (created) and describes them. */
export async function snapshotWorkspace(workspace: string, dest: string): Promise<WorkspaceSnapshot> {
  const root = path.resolve(workspace);
  const { paths, head, dirty } = await listWorkspaceFiles(root);
  if (paths.length > SNAPSHOT_LIMITS.files) throw tooBig(root, `${paths.length} files`);
  const files: SnapshotFile[] = [];
  let total = 0;
  for (const rel of paths) {
    const data = await fs.readFile(path.join(root, rel));
    total += data.length;
    if (total > SNAPSHOT_LIMITS.bytes) throw tooBig(root, `more than ${SNAPSHOT_LIMITS.bytes / 1024 / 1024} MiB`);
    const target = path.join(dest, rel);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, data, { mode: (await fs.stat(path.join(root, rel))).mode & 0o777 });
    files.push({ path: rel, sha256: sha256(data), bytes: data.length });
  }
  return { files, head, dirty };
}

/** The files under `dir` as the snapshot rules see them (for the agent's finished copy, which has no .git). */
export async function listTreeFiles(dir: string): Promise<string[]> {
  return (await walk(path.resolve(dir))).sort();
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

async function gitInfo(root: string): Promise<{ paths: string[]; head: string | null; dirty: boolean } | null> {
  if (!existsSync(path.join(root, ".git")) && !(await insideWorkTree(root))) return null;
  const git = simpleGit({ baseDir: root });
  // A folder an enclosing repository ignores is a project of its own: walk it instead.
  if ((await git.raw(["check-ignore", "."]).catch(() => "")).trim() === ".") return null;
  // -z: names as they are (no quoting of unusual characters); relative to `root` even in a subfolder.
  const out = await git.raw(["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  const paths = [...new Set(out.split("\0").filter(Boolean))];
  const head = await git.raw(["rev-parse", "--verify", "-q", "HEAD"]).then((s) => s.trim() || null, () => null);
  const status = await git.raw(["status", "--porcelain", "--", "."]).catch(() => "");
  return { paths, head, dirty: status.trim() !== "" };
}

async function insideWorkTree(root: string): Promise<boolean> {
  try {
    return (await simpleGit({ baseDir: root }).raw(["rev-parse", "--is-inside-work-tree"])).trim() === "true";
  } catch {
    return false;
  }
}

async function walk(root: string): Promise<string[]> {
  const rules = ignore();
  const gitignore = path.join(root, ".gitignore");
  if (existsSync(gitignore)) rules.add(await fs.readFile(gitignore, "utf8"));
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      if (entry.isDirectory()) {
        if (!rules.ignores(`${child}/`)) await visit(child);
      } else if (entry.isFile() && !rules.ignores(child)) out.push(child);
    }
  };
  await visit("");
  return out;
}

function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

function tooBig(root: string, what: string): CladeError {
  return new CladeError("invalid-argument", `The workspace ${root} is too big for an ask (${what}; the limit is ${SNAPSHOT_LIMITS.files} files and ${SNAPSHOT_LIMITS.bytes / 1024 / 1024} MiB, without what .gitignore excludes).`, "Add build output and data to .gitignore, or open a smaller folder (--workspace) for the ask.");
}
