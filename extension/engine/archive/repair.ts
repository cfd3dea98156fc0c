// `clade archive check` / `clade archive repair`: a full check (the log's replay, every node's
// commit, and every object its files need), and a repair that keeps everything valid: the log is
// rewritten with exactly the lines that replay (the original is kept as archive.jsonl.bak-<time>),
// a node whose files lost objects is marked invalid (its results stay), and a node's missing
// branch is restored. Nothing valid is ever deleted.
import { promises as fs } from "node:fs";
import { CladeError } from "../../protocol/errors";
import { AgentsRepo } from "./agentsRepo";
import { Archive } from "./archive";
import { ArchiveLock } from "./archiveLock";
import { archivePaths } from "./archivePaths";
import { syncDirectory } from "./eventLog";
import { git } from "./gitRunner";
import { replayLog } from "./openArchiveFiles";
import type { ArchiveNode, ArchiveProblem } from "./types";

export interface CheckProblem extends Omit<ArchiveProblem, "code"> {
  readonly code: ArchiveProblem["code"] | "missing-objects";
}

export interface ArchiveCheckReport {
  readonly nodes: number;
  readonly evaluations: number;
  readonly problems: CheckProblem[];
  /** No problem of severity "error". */
  readonly ok: boolean;
}

export interface ArchiveRepairReport {
  /** Where the original log was copied, when it was rewritten. */
  readonly backup: string | null;
  readonly keptLines: number;
  readonly droppedLines: { line: number; reason: string }[];
  readonly nodesMarkedInvalid: string[];
  readonly branchesRestored: string[];
  readonly before: ArchiveCheckReport;
  readonly after: ArchiveCheckReport;
}

/** Objects (commit, trees, blobs) each node needs that the repository lacks, by node id. */
export async function findMissingObjects(repo: AgentsRepo, nodes: readonly ArchiveNode[]): Promise<Map<string, string[]>> {
  const missing = new Map<string, string[]>();
  if (!repo.exists() || !nodes.length) return missing;
  const types = await repo.objectTypes(nodes.map((n) => n.commit));
  for (const node of nodes) {
    if (types.get(node.commit) !== "commit") {
      missing.set(node.id, [node.commit]);
      continue;
    }
    // Only the node's own tree: its ancestors are checked as nodes of their own.
    const out = await git(repo.gitDir, ["rev-list", "--objects", "--no-walk", "--missing=print", node.commit]).catch((error: Error) => `?${error.message}`);
    const lost = out.split("\n").filter((l) => l.startsWith("?")).map((l) => l.slice(1).trim());
    if (lost.length) missing.set(node.id, lost);
  }
  return missing;
}

/** The check behind `clade archive check` (read-only; works while a session runs). */
export async function checkArchiveFully(workspace: string): Promise<ArchiveCheckReport> {
  const archive = await Archive.open(workspace, { readOnly: true });
  try {
    const nodes = archive.nodes();
    // A node already marked invalid (by repair) whose files are gone is reported, not an error.
    const invalid = new Set(nodes.filter((n) => n.status === "invalid").map((n) => n.id));
    const lostFiles = new Set(["missing-commit", "missing-branch", "missing-objects"]);
    const soften = (p: CheckProblem): CheckProblem => (p.nodeId && invalid.has(p.nodeId) && lostFiles.has(p.code) ? { ...p, severity: "warning" } : p);
    const problems: CheckProblem[] = (await archive.check()).map(soften);
    const alreadyMissing = new Set(problems.filter((p) => p.code === "missing-commit").map((p) => p.nodeId));
    for (const [nodeId, objects] of await findMissingObjects(new AgentsRepo(archivePaths(workspace).gitDir), nodes)) {
      if (alreadyMissing.has(nodeId)) continue;
      problems.push(soften({ severity: "error", code: "missing-objects", nodeId, message: `Node ${nodeId}'s files cannot be read: ${objects.length} object(s) missing from the archive repository (${objects.slice(0, 3).join(", ")}${objects.length > 3 ? ", …" : ""}).` }));
    }
    const evaluations = nodes.reduce((sum, n) => sum + archive.results(n.id).length, 0);
    return { nodes: nodes.length, evaluations, problems, ok: !problems.some((p) => p.severity === "error") };
  } finally {
    await archive.dispose();
  }
}

/** Repairs the archive in place (takes the writer lock: no session may be running). */
export async function repairArchive(workspace: string): Promise<ArchiveRepairReport> {
  const before = await checkArchiveFully(workspace);
  const paths = archivePaths(workspace);
  const lock = await ArchiveLock.acquire(paths.lock);
  let rewrite: { backup: string | null; kept: number; dropped: { line: number; reason: string }[] };
  try {
    rewrite = await rewriteLog(paths.log, paths.dir);
  } finally {
    await lock.release();
  }
  const marked: string[] = [];
  const restored: string[] = [];
  const archive = await Archive.open(workspace);
  try {
    const repo = new AgentsRepo(paths.gitDir);
    if (!repo.exists()) {
      throw new CladeError("archive-corrupt", `The archive repository ${paths.gitDir} is missing; the log was repaired but no node's files can be restored.`, "Restore .clade/agents.git from a backup; the results in the log are kept.");
    }
    const missing = await findMissingObjects(repo, archive.nodes());
    for (const [nodeId, objects] of missing) {
      if (archive.requireNode(nodeId).status === "invalid") continue;
      await archive.setStatus(nodeId, "invalid", `Its files were lost from the archive repository (${objects.length} missing object(s)); marked by \`clade archive repair\`.`);
      marked.push(nodeId);
    }
    const branches = await repo.branches();
    for (const node of archive.nodes()) {
      if (branches.get(node.id) !== node.commit && !missing.has(node.id)) {
        await repo.setBranch(node.id, node.commit);
        restored.push(node.id);
      }
    }
  } finally {
    await archive.dispose();
  }
  return { backup: rewrite.backup, keptLines: rewrite.kept, droppedLines: rewrite.dropped, nodesMarkedInvalid: marked, branchesRestored: restored, before, after: await checkArchiveFully(workspace) };
}

/** Keeps exactly the lines that replay, byte for byte; the original goes to a backup first. */
async function rewriteLog(log: string, dir: string): Promise<{ backup: string | null; kept: number; dropped: { line: number; reason: string }[] }> {
  const applied = new Set<number>();
  let line = 0;
  const { problems, chunk } = await replayLog(log, undefined, { onApplied: () => applied.add(++line) });
  if (problems.some((p) => p.code === "newer-version")) {
    throw new CladeError("archive-corrupt", "The archive log has events written by a newer version of Clade; repairing would drop them, so nothing was changed.", "Update Clade, then run `clade archive check` again.");
  }
  const text = await fs.readFile(log, "utf8");
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  const droppedAt = new Map(problems.filter((p) => p.line !== undefined).map((p) => [p.line!, p.message]));
  const keep = lines.filter((l, i) => l.trim() !== "" && !droppedAt.has(i + 1));
  const dirty = droppedAt.size > 0 || chunk.tornTail || keep.length !== lines.length || (text.length > 0 && !text.endsWith("\n"));
  if (!dirty) return { backup: null, kept: keep.length, dropped: [] };
  if (keep.length !== applied.size) {
    throw new CladeError("internal", `Repair found ${applied.size} valid events but ${keep.length} lines to keep; nothing was changed.`, "Report this as a bug; the archive is untouched.");
  }
  const backup = `${log}.bak-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  await fs.copyFile(log, backup);
  const staging = `${log}.repair`;
  const handle = await fs.open(staging, "w");
  try {
    await handle.writeFile(keep.map((l) => `${l}\n`).join(""));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(staging, log);
  await syncDirectory(dir);
  return { backup, kept: keep.length, dropped: [...droppedAt].map(([l, reason]) => ({ line: l, reason })) };
}
