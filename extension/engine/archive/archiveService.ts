// The engine's archive service: one open archive per workspace, shared by every client request.
// Idle, it holds a read-only archive and polls the log for other writers (a `clade evolve` in a
// terminal). While a session runs in this engine, the session's writable Archive is the one held:
// reads and accept/revert/undo go through it (never a second writer). Fires `onDidChange` (debounced)
// so clients re-fetch while a session writes.
import { promises as fs, unwatchFile, watchFile } from "node:fs";
import path from "node:path";
import type { ActivationResult, ArchiveChanged, ArchiveTree, NodeDetails, NodeDiffSummary } from "../../protocol/archive";
import { versionNode } from "../../protocol/ask";
import { askSummaries, userTaskScores } from "../ask/askLog";
import { CladeError } from "../../protocol/errors";
import { Emitter } from "../util/emitter";
import { Archive } from "./archive";
import { archivePaths } from "./archivePaths";
import { archiveTree, emptyTree, nodeDetails, nodeDiffSummary } from "./archiveSummaries";
import type { ArchiveEvent } from "./events";
import { readEventLog } from "./eventLog";

interface Entry {
  archive: Archive;
  writer: boolean;
  /** Nodes reverted and not accepted again since. */
  reverted: Set<string>;
  dispose(): void;
}

const POLL_MS = 1000;
const DEBOUNCE_MS = 150;

export class ArchiveService {
  private readonly entries = new Map<string, Entry>();
  private readonly opening = new Map<string, Promise<Entry | null>>();
  private readonly changed = new Emitter<ArchiveChanged>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  readonly onDidChange = this.changed.event;

  /** Opens `workspace`'s archive writable for a session; reads share it until release(). */
  async acquireWriter(workspace: string): Promise<{ archive: Archive; release(): Promise<void> }> {
    const key = path.resolve(workspace);
    const existing = this.entries.get(key);
    if (existing?.writer) throw new CladeError("archive-locked", `A session is already running on ${key}.`, "Wait for it to finish, or stop it first.");
    await this.close(key);
    const archive = await Archive.open(key, { create: true });
    const entry = await this.track(key, archive, true);
    this.entries.set(key, entry);
    this.notify(key);
    return {
      archive,
      release: async () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        entry.dispose();
        await archive.dispose();
        this.notify(key);
      },
    };
  }

  /** Runs `fn` with the workspace's writer: the running session's, else one taken for the call. */
  async withWriter<T>(workspace: string, fn: (archive: Archive) => Promise<T>): Promise<T> {
    const key = path.resolve(workspace);
    const existing = this.entries.get(key);
    if (existing?.writer) return fn(existing.archive);
    const writer = await this.acquireWriter(key);
    try {
      return await fn(writer.archive);
    } finally {
      await writer.release();
    }
  }

  isRunning(workspace: string): boolean {
    return this.entries.get(path.resolve(workspace))?.writer ?? false;
  }

  async tree(workspace: string): Promise<ArchiveTree> {
    const entry = await this.reader(workspace);
    return withAsks(entry ? archiveTree(entry.archive, entry.reverted, entry.writer) : emptyTree(path.resolve(workspace)));
  }

  async details(workspace: string, nodeId: string): Promise<NodeDetails> {
    const entry = await this.requireReader(workspace);
    return nodeDetails(entry.archive, nodeId, entry.reverted);
  }

  async diff(workspace: string, nodeId: string, against: string | null | undefined, patch: boolean): Promise<NodeDiffSummary> {
    return nodeDiffSummary((await this.requireReader(workspace)).archive, nodeId, against, patch);
  }

  async file(workspace: string, nodeId: string, file: string): Promise<string> {
    return (await this.requireReader(workspace)).archive.readFile(nodeId, file);
  }

  /** A trajectory the archive recorded for this node's run (no other path is served). */
  async trajectory(workspace: string, nodeId: string, runId: string): Promise<string> {
    const { archive } = await this.requireReader(workspace);
    const record = archive.results(nodeId).find((r) => r.runId === runId);
    if (!record) throw new CladeError("invalid-argument", `Node ${nodeId} has no finished run "${runId}".`, "Pick a run from the node's details.");
    try {
      return await fs.readFile(record.trajectory, "utf8");
    } catch (error) {
      throw new CladeError("invalid-argument", `The trajectory of run ${runId} is gone (${record.trajectory}).`, "Trajectories live in <workspace>/.clade/runs/; re-run the task to get a new one.", { runId }, { cause: error });
    }
  }

  accept(workspace: string, nodeId: string): Promise<ActivationResult> {
    return this.write(workspace, async (a) => {
      const previous = await a.accept(nodeId);
      return { active: a.activeNode()?.id ?? null, previous };
    });
  }

  revert(workspace: string, nodeId: string): Promise<ActivationResult> {
    return this.write(workspace, async (a) => {
      await a.revert(nodeId);
      return { active: a.activeNode()?.id ?? null, previous: nodeId };
    });
  }

  undo(workspace: string): Promise<ActivationResult> {
    return this.write(workspace, async (a) => {
      const previous = a.activeNode()?.id ?? null;
      const active = await a.undo();
      return { active, previous };
    });
  }

  /** Runs a write on the session's writer, or on a writer opened for just this change. */
  private async write<T>(workspace: string, run: (archive: Archive) => Promise<T>): Promise<T> {
    const key = path.resolve(workspace);
    const held = this.entries.get(key);
    if (held?.writer) return run(held.archive);
    const archive = await Archive.open(key);
    try {
      return await run(archive);
    } finally {
      await archive.dispose();
      await this.entries.get(key)?.archive.refresh().catch(() => 0);
      this.notify(key);
    }
  }

  private async requireReader(workspace: string): Promise<Entry> {
    const entry = await this.reader(workspace);
    if (!entry) throw new CladeError("archive-missing", `No Clade archive in ${path.resolve(workspace)} yet.`, "Run \"Clade: Start Self-Improvement Session…\" (or `clade evolve`) in this workspace first.");
    return entry;
  }

  /** The held archive, refreshed from the log; null when the workspace has none. */
  private async reader(workspace: string): Promise<Entry | null> {
    const key = path.resolve(workspace);
    const held = this.entries.get(key);
    if (held) {
      if (!held.writer) await held.archive.refresh().catch(() => 0);
      return held;
    }
    let opening = this.opening.get(key);
    if (!opening) {
      opening = this.openReader(key).finally(() => this.opening.delete(key));
      this.opening.set(key, opening);
    }
    return opening;
  }

  private async openReader(key: string): Promise<Entry | null> {
    let archive: Archive;
    try {
      archive = await Archive.open(key, { readOnly: true });
    } catch (error) {
      if (CladeError.is(error, "archive-missing")) return null;
      throw error;
    }
    const entry = await this.track(key, archive, false);
    const log = archivePaths(key).log;
    // Another process (the CLI) may append: poll the log and replay what is new.
    const onStat = () => void archive.refresh().catch(() => 0);
    watchFile(log, { interval: POLL_MS, persistent: false }, onStat);
    const dispose = entry.dispose;
    entry.dispose = () => (unwatchFile(log, onStat), dispose());
    this.entries.set(key, entry);
    return entry;
  }

  private async track(key: string, archive: Archive, writer: boolean): Promise<Entry> {
    const reverted = new Set<string>();
    const apply = (event: ArchiveEvent) => {
      if (event.type === "node-reverted") reverted.add(event.nodeId);
      else if (event.type === "node-accepted") reverted.delete(event.nodeId);
    };
    await readEventLog(archivePaths(key).log, apply).catch(() => undefined);
    const subscription = archive.onDidChange((event) => {
      apply(event);
      this.notify(key);
    });
    return { archive, writer, reverted, dispose: () => subscription.dispose() };
  }

  private notify(workspace: string): void {
    if (this.timers.has(workspace)) return;
    this.timers.set(workspace, setTimeout(() => {
      this.timers.delete(workspace);
      this.changed.fire({ workspace });
    }, DEBOUNCE_MS));
  }

  private async close(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    entry.dispose();
    await entry.archive.dispose();
  }

  async dispose(): Promise<void> {
    for (const key of [...this.entries.keys()]) await this.close(key);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.changed.dispose();
  }
}

/** The workspace's asks, and each version's score on them (an ask of "seed" counts for the root). */
async function withAsks(tree: ArchiveTree): Promise<ArchiveTree> {
  const asks = await askSummaries(tree.workspace).catch(() => []);
  if (!asks.length) return tree;
  const root = tree.nodes.find((n) => n.parentId === null)?.id;
  const scores = userTaskScores(asks.map((a) => ({ ...a, versionId: versionNode(a.versionId, root) })));
  return { ...tree, asks, nodes: tree.nodes.map((n) => ({ ...n, userTasks: scores.get(n.id) ?? null })) };
}
