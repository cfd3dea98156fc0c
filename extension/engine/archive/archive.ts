// The archive of agent versions for one workspace: `.clade/archive.jsonl` (event log, replayed into
// memory on open) plus `.clade/agents.git` (one commit per node). Every write is checked against the
// state, appended and fdatasync'd, then applied: when a promise resolves, the event is on disk.
import { CladeError } from "../../protocol/errors";
import type { AgentsRepo } from "./agentsRepo";
import type { ArchiveLock } from "./archiveLock";
import { archivePaths, type ArchivePaths } from "./archivePaths";
import { ArchiveReader } from "./archiveReader";
import type { ArchiveState } from "./archiveState";
import { stampEvent, type ArchiveEvent, type NewArchiveEvent } from "./events";
import type { EventLogWriter } from "./eventLog";
import { openArchiveFiles } from "./openArchiveFiles";
import type { AddNodeMeta, ArchiveNode, ArchiveProblem, Cost, EvaluationInput, EvaluationRecord, NodeIdentity, SessionConfig, SessionRecord, SpendKind } from "./types";
import { writeNodeCommit } from "./writeNodeCommit";

export interface ArchiveOpenOptions {
  /** Create `.clade/` when the workspace has no archive yet (default false). */
  readonly create?: boolean;
  /** Read without taking the writer lock; writes throw (default false). */
  readonly readOnly?: boolean;
}

export class Archive extends ArchiveReader {
  /** Serializes check → append → apply, so concurrent writers cannot both pass a check. */
  private writing: Promise<unknown> = Promise.resolve();
  /** Serializes addNode (ids are sequential). */
  private adding: Promise<unknown> = Promise.resolve();
  /** Set by dispose(): new writes are refused; writes already asked for still complete. */
  private closing = false;

  private constructor(
    paths: ArchivePaths,
    state: ArchiveState,
    problems: ArchiveProblem[],
    repo: AgentsRepo,
    readPosition: { offset: number; lines: number },
    private readonly writer: EventLogWriter | null,
    private readonly lock: ArchiveLock | null,
  ) {
    super(paths, state, problems, repo, readPosition);
  }

  /** Opens the archive of `workspace` (its `.clade/` folder), replaying the log. */
  static async open(workspace: string, options: ArchiveOpenOptions = {}): Promise<Archive> {
    const paths = archivePaths(workspace);
    const files = await openArchiveFiles(paths, { create: options.create ?? false, readOnly: options.readOnly ?? false });
    return new Archive(paths, files.state, files.problems, files.repo, files.readPosition, files.writer, files.lock);
  }

  get readOnly(): boolean {
    return this.writer === null;
  }

  /** Starts (or, with `resumes`, continues) an evolve session; the config fixes the task set. */
  async startSession(config: SessionConfig, options: { resumes?: string | null } = {}): Promise<SessionRecord> {
    await this.append(() => ({ type: "session-started", sessionId: this.state.nextSessionId(), resumes: options.resumes ?? null, config }));
    return this.state.session()!;
  }

  /**
   * Adds a node: commits `scaffoldDir` (null: the parent's files, for an adapter node) on branch
   * `node/<id>`, then records it. Ids are sequential (`n0` is the root).
   */
  addNode(parentId: string | null, scaffoldDir: string | null, meta: AddNodeMeta): Promise<ArchiveNode> {
    const refused = this.writeRefusal();
    if (refused) return Promise.reject(refused);
    const next = this.adding.then(() => this.addNodeNow(parentId, scaffoldDir, meta));
    this.adding = next.catch(() => undefined);
    return next;
  }

  /** pending → invalid, pending → evaluated, evaluated → invalid (invalid is final). */
  async setStatus(id: string, status: "evaluated" | "invalid", reason: string): Promise<ArchiveNode> {
    await this.append(() => ({ type: "node-status", nodeId: id, from: this.requireNode(id).status, to: status, reason }));
    return this.requireNode(id);
  }

  async recordEvaluationStarted(nodeId: string, taskId: string, runId: string): Promise<void> {
    await this.append({ type: "evaluation-started", nodeId, taskId, runId });
  }

  /** Records a finished run (a RunResult is accepted as is); the node becomes `evaluated`. */
  async recordEvaluationFinished(nodeId: string, result: EvaluationInput): Promise<EvaluationRecord> {
    const { runId, taskId, passed, usage, wallMs, modelMs, turns, stopReason, trajectory } = result;
    const tokens = { promptTokens: usage.promptTokens, cachedPromptTokens: usage.cachedPromptTokens, completionTokens: usage.completionTokens };
    await this.append({ type: "evaluation-finished", nodeId, taskId, runId, passed, tokens, wallMs, modelMs, turns, stopReason, trajectory });
    const records = this.results(nodeId);
    return records[records.length - 1];
  }

  /** A started run that will never finish: its task becomes untested again. */
  async recordEvaluationAbandoned(runId: string, reason: string): Promise<void> {
    const run = this.state.running.get(runId);
    if (!run) throw new CladeError("invalid-argument", `There is no running evaluation "${runId}".`, "Pass the runId given to recordEvaluationStarted, before the run is finished.");
    await this.append({ type: "evaluation-abandoned", nodeId: run.nodeId, taskId: run.taskId, runId, reason });
  }

  /** Records that a self-modification of `parentId` started; returns its id (`x0`, `x1`, …). */
  async recordExpansionStarted(parentId: string): Promise<string> {
    const event = await this.append(() => ({ type: "expansion-started", expansionId: this.state.nextExpansionId(), parentId }));
    return event.expansionId;
  }

  /** Ends an expansion that made no node (addNode with `expansionId` ends the others). */
  async recordExpansionFinished(expansionId: string, outcome: "failed" | "abandoned", reason: string): Promise<void> {
    const expansion = this.state.expansions.get(expansionId);
    if (!expansion) throw new CladeError("invalid-argument", `There is no recorded expansion "${expansionId}".`, "Pass the id recordExpansionStarted returned.");
    await this.append({ type: "expansion-finished", expansionId, parentId: expansion.parentId, outcome, reason });
  }

  /** After a restart: ends every evaluation and expansion the previous process left running. */
  async abandonInFlight(reason: string): Promise<{ evaluations: number; expansions: number }> {
    const evaluations = this.inFlightEvaluations();
    const expansions = this.inFlightExpansions();
    for (const run of evaluations) await this.recordEvaluationAbandoned(run.runId, reason);
    for (const expansion of expansions) await this.recordExpansionFinished(expansion.expansionId, "abandoned", reason);
    return { evaluations: evaluations.length, expansions: expansions.length };
  }

  /** Records a run of a version outside any session; kept with the node, never in its score. */
  async recordRun(nodeId: string, suite: string, result: EvaluationInput): Promise<void> {
    const { runId, taskId, passed, usage, wallMs, turns, stopReason, trajectory } = result;
    const tokens = { promptTokens: usage.promptTokens, cachedPromptTokens: usage.cachedPromptTokens, completionTokens: usage.completionTokens };
    await this.append({ type: "run-recorded", nodeId, suite, taskId, runId, passed, tokens, wallMs, turns, stopReason, trajectory });
  }

  /** Records tokens and time spent outside evaluations and node creation. */
  async recordSpend(kind: SpendKind, nodeId: string | null, cost: Cost): Promise<void> {
    await this.append({ type: "budget-spent", kind, nodeId, tokens: cost.tokens, wallMs: cost.wallMs });
  }

  /** Makes `id` the active version; undo with revert(id). Returns the previously active node id. */
  async accept(id: string): Promise<string | null> {
    const event = await this.append(() => ({ type: "node-accepted", nodeId: id, previous: this.state.active }));
    return event.previous;
  }

  /** Reverts the active node `id`: the version active before it was accepted is active again. */
  async revert(id: string): Promise<string | null> {
    const stack = this.state.activeStack;
    const event = await this.append(() => ({ type: "node-reverted", nodeId: id, restored: stack.length > 1 ? stack[stack.length - 2] : null }));
    return event.restored;
  }

  /** Undoes the last accept (by reverting it) or revert (by accepting again); returns the active node id. */
  async undo(): Promise<string | null> {
    const last = this.state.lastActivation;
    if (!last) throw new CladeError("invalid-argument", "There is no accept or revert to undo.", "Accept a node first (`clade accept <node>`).");
    if (last.kind === "accept") await this.revert(last.nodeId);
    else await this.accept(last.nodeId);
    return this.state.active;
  }

  /** A writer holds the lock: nobody else appends, so there is nothing to read. */
  override async refresh(): Promise<number> {
    return this.writer ? 0 : super.refresh();
  }

  /** Waits for pending writes, closes the log and releases the lock. */
  async dispose(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.allSettled([this.adding, this.writing]);
    await this.writer?.dispose();
    await this.lock?.release();
    this.changed.dispose();
  }

  private async addNodeNow(parentId: string | null, scaffoldDir: string | null, meta: AddNodeMeta): Promise<ArchiveNode> {
    const nodeId = this.state.nextNodeId();
    const parent = parentId === null ? null : this.requireNode(parentId);
    const draft: NewArchiveEvent = {
      type: "node-created", nodeId, parentId, commit: "0", tree: "0", identity: this.identityFor(meta, parent, "0"), origin: meta.origin,
      status: meta.status ?? "pending", reason: meta.statusReason ?? null, expansionId: meta.expansionId ?? null, cost: meta.cost ?? null,
    };
    this.refuse(this.state.check(stampEvent(draft))); // fail before writing any git object
    const { commit, tree } = await writeNodeCommit(this.repo, { nodeId, parent, scaffoldDir, origin: meta.origin });
    await this.append({ ...draft, commit, tree, identity: this.identityFor(meta, parent, commit) }, true);
    return this.requireNode(nodeId);
  }

  private identityFor(meta: AddNodeMeta, parent: ArchiveNode | null, scaffoldCommit: string): NodeIdentity {
    const config = this.state.session()?.config;
    const modelHash = meta.identity?.modelHash ?? config?.modelHash;
    const taskSetHash = meta.identity?.taskSetHash ?? config?.taskSetHash;
    const seed = meta.identity?.seed ?? config?.seed;
    if (modelHash === undefined || taskSetHash === undefined || seed === undefined) {
      throw new CladeError("invalid-argument", "A node needs a model hash, task-set hash and seed, and no session gives them.", "Start a session first (startSession) or pass meta.identity.");
    }
    // A child keeps its parent's adapter unless told otherwise (an adapter node names its own).
    const adapterHash = meta.identity?.adapterHash !== undefined ? meta.identity.adapterHash : (parent?.identity.adapterHash ?? null);
    return { scaffoldCommit, adapterHash, modelHash, taskSetHash, seed };
  }

  /**
   * check → append (fdatasync) → apply → notify, one event at a time. An event that depends on the
   * state (a sequential id, the active node) is made inside the queue, from a function.
   */
  private append<E extends NewArchiveEvent>(make: E | (() => E), queued = false): Promise<E & { v: number; at: string }> {
    const refused = queued ? null : this.writeRefusal();
    if (refused) return Promise.reject(refused);
    const writer = this.writer!;
    const next = this.writing.then(async () => {
      const event = typeof make === "function" ? make() : make;
      const stamped = stampEvent(event) as E & ArchiveEvent;
      this.refuse(this.state.check(stamped));
      await writer.append(stamped);
      this.state.apply(stamped);
      this.changed.fire(stamped);
      return stamped;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** Why this archive takes no new writes now (read-only, or being disposed), or null. */
  private writeRefusal(): CladeError | null {
    if (this.writer && !this.closing) return null;
    return new CladeError("invalid-argument", `The archive in ${this.paths.workspace} is ${this.writer ? "closed" : "open read-only"}.`, this.writer ? "Open it again to change it." : "Open it without readOnly to change it.");
  }

  private refuse(problem: string | null): void {
    if (problem !== null) throw new CladeError("invalid-argument", `The archive refused the change: ${problem}.`, "Check the node ids and states passed (see `clade archive`).");
  }
}
