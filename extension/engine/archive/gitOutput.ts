// Parsers for the machine-readable (-z) git outputs the archive reads.

export interface RepoFileEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: "blob" | "tree" | "commit";
  readonly object: string;
  /** Bytes; null for submodule entries. */
  readonly size: number | null;
}

export type DiffFileStatus = "added" | "deleted" | "modified" | "type-changed";

export interface DiffFile {
  readonly path: string;
  readonly status: DiffFileStatus;
  /** Lines added / removed; null for binary files. */
  readonly added: number | null;
  readonly removed: number | null;
  readonly binary: boolean;
}

export interface CommitFacts {
  readonly commit: string;
  readonly tree: string;
  readonly parents: readonly string[];
}

/** `ls-tree -r -l -z`: `<mode> <type> <object> <size>\t<path>\0`. */
export function parseLsTree(out: string): RepoFileEntry[] {
  const entries: RepoFileEntry[] = [];
  for (const record of out.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, object, size] = record.slice(0, tab).trim().split(/\s+/);
    entries.push({ path: record.slice(tab + 1), mode, type: type as RepoFileEntry["type"], object, size: size === "-" ? null : Number(size) });
  }
  return entries;
}

const STATUS: Record<string, DiffFileStatus> = { A: "added", D: "deleted", M: "modified", T: "type-changed" };

/** Joins `diff --name-status -z` (`S\0path\0`) and `diff --numstat -z` (`a\tr\tpath\0`) outputs. */
export function parseDiffFiles(nameStatus: string, numstat: string): DiffFile[] {
  const counts = new Map<string, { added: number | null; removed: number | null }>();
  for (const record of numstat.split("\0")) {
    const m = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(record.replace(/^\n/, ""));
    if (m) counts.set(m[3], { added: m[1] === "-" ? null : Number(m[1]), removed: m[2] === "-" ? null : Number(m[2]) });
  }
  const parts = nameStatus.split("\0");
  const files: DiffFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const code = parts[i].trim().charAt(0);
    const file = parts[i + 1];
    const count = counts.get(file) ?? { added: null, removed: null };
    files.push({ path: file, status: STATUS[code] ?? "modified", ...count, binary: count.added === null });
  }
  return files;
}

/** `log --no-walk --format=%H %T %P` lines. */
export function parseCommitFacts(out: string): Map<string, CommitFacts> {
  const facts = new Map<string, CommitFacts>();
  for (const line of out.split("\n")) {
    const [commit, tree, ...parents] = line.trim().split(" ").filter(Boolean);
    if (commit && tree) facts.set(commit, { commit, tree, parents });
  }
  return facts;
}

/** `cat-file --batch-check` lines: `<sha> <type> <size>` or `<name> missing`. */
export function parseBatchCheck(out: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const line of out.split("\n")) {
    const [name, type] = line.trim().split(" ");
    if (name && type) types.set(name, type);
  }
  return types;
}
