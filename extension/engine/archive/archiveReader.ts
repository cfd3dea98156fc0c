// The read side of an archive (see archive.ts): nodes, results, totals, the search view, and the
// node files in `.clade/agents.git` (export, read, list, diff), plus the consistency check.
import { promises as fs } from "node:fs";
import path from "node:path";
import { CladeError } from "../../protocol/errors";
import type { ArchiveView, SearchBudget } from "../search/types";
import { Emitter, type Event } from "../util/emitter";
import { EMPTY_TREE, type AgentsRepo } from "./agentsRepo";
import type { ArchivePaths } from "./archivePaths";
import type { ArchiveState } from "./archiveState";
import { checkArchive } from "./checkArchive";
import type { ArchiveEvent, RunRecordedEvent } from "./events";
import type { DiffFile, RepoFileEntry } from "./gitOutput";
import { replayLog } from "./openArchiveFiles";
import type { ArchiveNode, ArchiveProblem, EvaluationRecord, InFlightEvaluation, InFlightExpansion, NodeTotals, SessionRecord, UsageTotals } from "./types";

export interface NodeDiff {
  readonly nodeId: string;
  /** The node compared against; null when the root is compared with the empty tree. */
  readonly against: string | null;
  readonly files: readonly DiffFile[];
  readonly added: number;
  readonly removed: number;
  /** Unified diff (a/ and b/ prefixes); null when not asked for. */
  readonly patch: string | null;
}

export class ArchiveReader {
  protected readonly changed = new Emitter<ArchiveEvent>();
  /** Fires after each event is on disk and applied (also for events read by refresh()). */
  readonly onDidChange: Event<ArchiveEvent> = this.changed.event;

  protected constructor(
    readonly paths: ArchivePaths,
    protected readonly state: ArchiveState,
    protected readonly loadProblems: ArchiveProblem[],
    protected readonly repo: AgentsRepo,
    protected readPosition: { offset: number; lines: number },
  ) {}

  /** What the last open (or refresh) found wrong in the log: torn and skipped lines. */
  get problems(): readonly ArchiveProblem[] {
    return this.loadProblems;
  }

  session(): SessionRecord | null {
    return this.state.session();
  }

  sessions(): readonly SessionRecord[] {
    return this.state.sessions;
  }

  /** Every node in creation order (parents before children). */
  nodes(): readonly ArchiveNode[] {
    return this.state.nodeList;
  }

  node(id: string): ArchiveNode | undefined {
    return this.state.node(id);
  }

  /** The node, or an error naming the unknown id. */
  requireNode(id: string): ArchiveNode {
    const node = this.state.node(id);
    if (!node) throw new CladeError("invalid-argument", `There is no archive node "${id}".`, "Use an id from `clade archive` (n0, n1, …).", { nodeId: id });
    return node;
  }

  root(): ArchiveNode | null {
    return this.state.nodeList[0] ?? null;
  }

  children(id: string): readonly ArchiveNode[] {
    const stats = this.state.statsOf(this.requireNode(id).id)!;
    return stats.children.map((child) => this.state.node(child)!);
  }

  /** The accepted version in use; null when none was accepted (callers fall back to the root). */
  activeNode(): ArchiveNode | null {
    const id = this.state.active;
    return id === null ? null : (this.state.node(id) ?? null);
  }

  /** What undo() would do: the last accept or revert. */
  lastActivation(): { readonly kind: "accept" | "revert"; readonly nodeId: string } | null {
    return this.state.lastActivation;
  }

  /** The node's finished evaluations in order. */
  results(id: string): EvaluationRecord[] {
    return this.state.statsOf(this.requireNode(id).id)!.records();
  }

  /** The node's runs outside sessions (Run Active Agent, Evaluate on Suite, `clade run`), in order; not in its score. */
  otherRuns(id: string): readonly RunRecordedEvent[] {
    return this.state.statsOf(this.requireNode(id).id)!.otherRuns;
  }

  resultsByTask(id: string): ReadonlyMap<string, readonly EvaluationRecord[]> {
    const byTask = new Map<string, EvaluationRecord[]>();
    for (const record of this.results(id)) {
      const list = byTask.get(record.taskId);
      if (list) list.push(record);
      else byTask.set(record.taskId, [record]);
    }
    return byTask;
  }

  totals(id: string): NodeTotals {
    return this.state.statsOf(this.requireNode(id).id)!.totals();
  }

  /** Tasks of the current session's task set neither finished nor running on the node. */
  untestedTasks(id: string): string[] {
    const node = this.requireNode(id);
    if (node.status === "invalid") return [];
    const used = this.state.statsOf(id)!.taskUse;
    return (this.state.session()?.config.taskIds ?? []).filter((task) => !used.has(task));
  }

  inFlightEvaluations(): InFlightEvaluation[] {
    return [...this.state.running.values()].map((e) => ({ nodeId: e.nodeId, taskId: e.taskId, runId: e.runId, startedAt: e.at }));
  }

  inFlightExpansions(): InFlightExpansion[] {
    return [...this.state.expansions.values()].filter((x) => x.state === "running").map(({ expansionId, parentId, startedAt }) => ({ expansionId, parentId, startedAt }));
  }

  usage(): UsageTotals {
    const { evaluations, tokens, wallMs } = this.state.usage;
    return { evaluations, expansions: this.state.expansionsStarted, tokens: { ...tokens }, wallMs };
  }

  /** A snapshot for search strategies: fresh immutable SearchNodes, never the archive's records. */
  searchView(): ArchiveView {
    const nodes = this.state.searchNodes();
    return { nodes: () => nodes };
  }

  /** The evaluation budget of the current session and what has been used. */
  searchBudget(): SearchBudget {
    return { total: this.state.session()?.config.budgets.evaluations ?? 0, used: this.state.usage.evaluations };
  }

  /** Writes the node's files into `dir`, which must be absent or empty. */
  async exportNode(id: string, dir: string): Promise<void> {
    const node = this.requireNode(id);
    const existing = await fs.readdir(dir).catch(() => [] as string[]);
    if (existing.length) throw new CladeError("invalid-argument", `Cannot export node ${id} into ${dir}: the folder is not empty.`, "Pass an empty or new folder.");
    await this.repo.exportTo(node.commit, dir);
  }

  /** The node's branch as a git bundle (see AgentsRepo.bundle), with its commit. */
  async nodeBundle(id: string): Promise<{ commit: string; bytes: Buffer }> {
    const node = this.requireNode(id);
    return { commit: node.commit, bytes: await this.repo.bundle(id) };
  }

  /** One file of the node's scaffold, as UTF-8 text. */
  async readFile(id: string, file: string): Promise<string> {
    return (await this.readFileBytes(id, file)).toString("utf8");
  }

  async readFileBytes(id: string, file: string): Promise<Buffer> {
    const node = this.requireNode(id);
    const rel = repoPath(file);
    try {
      return await this.repo.readFile(node.commit, rel);
    } catch (error) {
      throw new CladeError("invalid-argument", `Node ${id} has no file ${rel}.`, "List the node's files with `clade show <node>`.", { nodeId: id, file: rel }, { cause: error });
    }
  }

  listFiles(id: string): Promise<RepoFileEntry[]> {
    return this.repo.listFiles(this.requireNode(id).commit);
  }

  /** Changes from `against` (default: the node's parent; the empty tree for the root) to the node. */
  async diff(id: string, options: { against?: string | null; patch?: boolean; paths?: readonly string[] } = {}): Promise<NodeDiff> {
    const node = this.requireNode(id);
    const against = options.against === undefined ? node.parentId : options.against;
    const from = against === null ? EMPTY_TREE : this.requireNode(against).commit;
    const { files, patch } = await this.repo.diff(from, node.commit, { patch: options.patch ?? true, paths: options.paths?.map(repoPath) });
    const added = files.reduce((sum, f) => sum + (f.added ?? 0), 0);
    const removed = files.reduce((sum, f) => sum + (f.removed ?? 0), 0);
    return { nodeId: id, against, files, added, removed, patch };
  }

  /** Log problems from the last load plus the repository checks (see checkArchive). */
  async check(): Promise<ArchiveProblem[]> {
    return [...this.loadProblems, ...(await checkArchive(this.state.nodeList, this.repo))];
  }

  /** Reads events appended by another process since the last read; returns how many applied. */
  async refresh(): Promise<number> {
    const applied: ArchiveEvent[] = [];
    const result = await replayLog(this.paths.log, this.state, { from: this.readPosition, leavePartialTail: true, onApplied: (event) => applied.push(event) });
    this.readPosition = { offset: result.chunk.end, lines: result.chunk.lineCount };
    this.loadProblems.push(...result.problems);
    for (const event of applied) this.changed.fire(event);
    return result.applied;
  }
}

/** A path inside a node's tree, with forward slashes; refuses absolute paths and `..`. */
function repoPath(file: string): string {
  const rel = file.split(path.sep).join("/").replace(/^\.\//, "");
  if (rel === "" || rel.startsWith("/") || /^[A-Za-z]:/.test(rel) || rel.split("/").includes("..")) {
    throw new CladeError("invalid-argument", `"${file}" is not a path inside a node's scaffold.`, "Use a relative path such as src/loop.ts.");
  }
  return rel;
}
