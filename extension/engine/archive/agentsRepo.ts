// `.clade/agents.git`: one bare repository, one commit per archive node (its parent node's commit
// as git parent), branch `node/<id>`. Writing a node reads a folder through a temporary index
// (GIT_INDEX_FILE + GIT_WORK_TREE), so no working tree, index or HEAD anywhere is touched.
import { randomUUID } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { git, gitFor } from "./gitRunner";
import { parseBatchCheck, parseCommitFacts, parseDiffFiles, parseLsTree, type CommitFacts, type DiffFile, type RepoFileEntry } from "./gitOutput";

/** git's empty tree (SHA-1): what a root node is diffed against. */
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** Paths never stored in a node (info/exclude of the archive repository). */
export const DEFAULT_EXCLUDES = ["node_modules/", ".DS_Store"];

export const branchRef = (nodeId: string): string => `refs/heads/node/${nodeId}`;

export class AgentsRepo {
  constructor(readonly gitDir: string) {}

  exists(): boolean {
    return existsSync(path.join(this.gitDir, "HEAD")) && existsSync(path.join(this.gitDir, "objects"));
  }

  /** Creates the bare repository (idempotent) with settings that make commits independent of the user's git config. */
  async init(): Promise<void> {
    if (this.exists()) return;
    await fs.mkdir(this.gitDir, { recursive: true });
    await git(this.gitDir, ["init", "--bare", "--quiet"]);
    // Appended as text (one git call less per key): files go in byte for byte, the user's global
    // excludes do not hide scaffold files, and no automatic gc runs while nodes are written.
    const noGlobalExcludes = path.join(this.gitDir, "info", "no-global-excludes").split(path.sep).join("/");
    await fs.appendFile(path.join(this.gitDir, "config"), `[core]\n\tautocrlf = false\n\tsafecrlf = false\n\texcludesFile = "${noGlobalExcludes}"\n[gc]\n\tauto = 0\n`);
    await fs.mkdir(path.join(this.gitDir, "info"), { recursive: true });
    await fs.writeFile(path.join(this.gitDir, "info", "exclude"), DEFAULT_EXCLUDES.join("\n") + "\n");
    await fs.writeFile(path.join(this.gitDir, "description"), "Clade archive: one commit per agent version (branch node/<id>).\n");
  }

  /** Stores the folder's files as a tree; returns the tree id. */
  async writeFolderTree(dir: string): Promise<string> {
    const index = path.join(this.gitDir, `clade-index-${randomUUID()}`);
    const env = { GIT_INDEX_FILE: index, GIT_WORK_TREE: path.resolve(dir) };
    try {
      await git(this.gitDir, ["add", "-A"], { cwd: dir, env });
      return (await git(this.gitDir, ["write-tree"], { env })).trim();
    } finally {
      await fs.rm(index, { force: true });
      await fs.rm(`${index}.lock`, { force: true });
    }
  }

  async treeOf(commit: string): Promise<string> {
    return (await git(this.gitDir, ["rev-parse", "--verify", `${commit}^{tree}`])).trim();
  }

  async commitTree(tree: string, parent: string | null, message: string): Promise<string> {
    const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message];
    return (await git(this.gitDir, args)).trim();
  }

  async setBranch(nodeId: string, commit: string): Promise<void> {
    await git(this.gitDir, ["update-ref", "-m", `clade: node ${nodeId}`, branchRef(nodeId), commit]);
  }

  /** node id → commit of every `node/<id>` branch. */
  async branches(): Promise<Map<string, string>> {
    const out = await git(this.gitDir, ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/node/"]);
    const map = new Map<string, string>();
    for (const line of out.split("\n")) {
      const [sha, ref] = line.trim().split(" ");
      if (sha && ref) map.set(ref.slice("refs/heads/node/".length), sha);
    }
    return map;
  }

  /** Object types of `names` (`missing` when absent), in one git call. */
  async objectTypes(names: readonly string[]): Promise<Map<string, string>> {
    if (!names.length) return new Map();
    return parseBatchCheck(await git(this.gitDir, ["cat-file", "--batch-check"], { input: names.join("\n") + "\n" }));
  }

  /** Tree and parents of existing commits, in one git call. */
  async commitFacts(commits: readonly string[]): Promise<Map<string, CommitFacts>> {
    if (!commits.length) return new Map();
    const out = await git(this.gitDir, ["log", "--no-walk=unsorted", "--stdin", "--format=%H %T %P"], { input: commits.join("\n") + "\n" });
    return parseCommitFacts(out);
  }

  /** A git bundle of node `nodeId`'s branch (its commit and history), as bytes: how a version travels to a worker. */
  async bundle(nodeId: string): Promise<Buffer> {
    const file = path.join(this.gitDir, `clade-bundle-${randomUUID()}.bundle`);
    try {
      await git(this.gitDir, ["bundle", "create", "--quiet", file, branchRef(nodeId)]);
      return await fs.readFile(file);
    } finally {
      await fs.rm(file, { force: true });
    }
  }

  /** Fetches every branch of a bundle (bytes from `bundle()`) into this repository. */
  async fetchBundle(bytes: Buffer): Promise<void> {
    const file = path.join(this.gitDir, `clade-fetch-${randomUUID()}.bundle`);
    try {
      await fs.writeFile(file, bytes);
      await git(this.gitDir, ["fetch", "--quiet", file, "+refs/heads/*:refs/heads/*"]);
    } finally {
      await fs.rm(file, { force: true });
    }
  }

  /** Writes the commit's files into `dir` (created if needed). */
  async exportTo(commit: string, dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    const index = path.join(this.gitDir, `clade-index-${randomUUID()}`);
    const env = { GIT_INDEX_FILE: index, GIT_WORK_TREE: path.resolve(dir) };
    try {
      await git(this.gitDir, ["read-tree", commit], { env });
      await git(this.gitDir, ["checkout-index", "--all", "--force"], { cwd: dir, env });
    } finally {
      await fs.rm(index, { force: true });
    }
  }

  async readFile(commit: string, file: string): Promise<Buffer> {
    return gitFor(this.gitDir).binaryCatFile(["blob", `${commit}:${file}`]);
  }

  async listFiles(commit: string): Promise<RepoFileEntry[]> {
    return parseLsTree(await git(this.gitDir, ["ls-tree", "-r", "-l", "-z", "--full-tree", commit]));
  }

  /** Per-file changes from `from` to `to` (commits or trees), and the unified diff when asked. */
  async diff(from: string, to: string, options: { patch: boolean; paths?: readonly string[] }): Promise<{ files: DiffFile[]; patch: string | null }> {
    const base = ["diff", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-color"];
    const spec = [from, to, "--", ...(options.paths ?? [])];
    const [nameStatus, numstat, patch] = await Promise.all([
      git(this.gitDir, [...base, "--name-status", "-z", ...spec]),
      git(this.gitDir, [...base, "--numstat", "-z", ...spec]),
      options.patch ? git(this.gitDir, [...base, "--src-prefix=a/", "--dst-prefix=b/", ...spec]) : Promise.resolve(null),
    ]);
    return { files: parseDiffFiles(nameStatus, numstat), patch };
  }
}
