// The archive's in-memory state: the result of replaying archive.jsonl. `check` says whether an
// event fits the state (the archive checks before it writes, replay checks before it applies, so a
// hand-edited or foreign line is reported instead of corrupting the state); `apply` applies it.
import type { SearchNode } from "../search/types";
import type { ArchiveEvent, EvaluationStartedEvent } from "./events";
import { EVENT_HANDLERS, type EventHandler } from "./eventHandlers";
import { NodeStats } from "./nodeStats";
import type { ArchiveNode, InFlightExpansion, SessionRecord } from "./types";

export interface ActivationEntry {
  readonly kind: "accept" | "revert";
  readonly nodeId: string;
}

export class ArchiveState {
  readonly nodeList: ArchiveNode[] = [];
  readonly stats: NodeStats[] = [];
  readonly positions = new Map<string, number>();
  readonly sessions: SessionRecord[] = [];
  taskSet: ReadonlySet<string> = new Set();
  /** Evaluations started and not ended, by run id. */
  readonly running = new Map<string, EvaluationStartedEvent>();
  /** Run ids that were abandoned (finished ones are in their node's results). */
  readonly abandonedRuns = new Set<string>();
  readonly expansions = new Map<string, InFlightExpansion & { state: "running" | "created" | "failed" | "abandoned" }>();
  expansionsStarted = 0;
  /** Accepted nodes, latest last: accept pushes, revert pops (the active node is the top). */
  readonly activeStack: string[] = [];
  lastActivation: ActivationEntry | null = null;
  readonly usage = { evaluations: 0, tokens: { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 }, wallMs: 0 };
  created = false;
  private readonly idCounters = { n: 0, x: 0, s: 0 };
  private lastId: string | null = null;
  private lastPosition = 0;
  /** SearchNode snapshots; an entry is dropped (rebuilt on demand) whenever its node changes. */
  private readonly searchCache: (SearchNode | undefined)[] = [];

  /** Why `event` does not fit the current state, or null when it does. */
  check(event: ArchiveEvent): string | null {
    return (EVENT_HANDLERS[event.type] as EventHandler<ArchiveEvent>).check(this, event);
  }

  /** Checks and applies; returns the rejection reason instead of applying a misfit. */
  apply(event: ArchiveEvent): string | null {
    const handler = EVENT_HANDLERS[event.type] as EventHandler<ArchiveEvent>;
    const problem = handler.check(this, event);
    if (problem === null) handler.apply(this, event);
    return problem;
  }

  /** A node's position in creation order. Remembers the last id: check and apply look up the same one. */
  position(id: string): number | undefined {
    if (id === this.lastId) return this.lastPosition;
    const i = this.positions.get(id);
    if (i !== undefined) {
      this.lastId = id;
      this.lastPosition = i;
    }
    return i;
  }

  node(id: string): ArchiveNode | undefined {
    const i = this.position(id);
    return i === undefined ? undefined : this.nodeList[i];
  }

  statsOf(id: string): NodeStats | undefined {
    const i = this.position(id);
    return i === undefined ? undefined : this.stats[i];
  }

  get active(): string | null {
    return this.activeStack.length ? this.activeStack[this.activeStack.length - 1] : null;
  }

  session(): SessionRecord | null {
    return this.sessions.length ? this.sessions[this.sessions.length - 1] : null;
  }

  addNode(node: ArchiveNode): void {
    this.positions.set(node.id, this.nodeList.length);
    this.nodeList.push(node);
    this.stats.push(new NodeStats());
    this.searchCache.push(undefined);
    if (node.parentId !== null) this.stats[this.positions.get(node.parentId) as number].children.push(node.id);
  }

  /** Replaces a node's record (records are immutable) and drops its search snapshot. */
  replaceNode(node: ArchiveNode): void {
    const i = this.position(node.id) as number;
    this.nodeList[i] = node;
    this.searchCache[i] = undefined;
  }

  touched(id: string): void {
    const i = this.position(id);
    if (i !== undefined) this.searchCache[i] = undefined;
  }

  /** All search snapshots are stale (the task set changed). */
  touchAll(): void {
    this.searchCache.fill(undefined);
  }

  /** A fresh array of immutable SearchNode snapshots, in creation order. */
  searchNodes(): SearchNode[] {
    const taskCount = this.taskSet.size;
    const out = new Array<SearchNode>(this.nodeList.length);
    for (let i = 0; i < this.nodeList.length; i++) {
      let snapshot = this.searchCache[i];
      if (snapshot === undefined) snapshot = this.searchCache[i] = this.stats[i].searchNode(this.nodeList[i], taskCount);
      out[i] = snapshot;
    }
    return out;
  }

  /** The next sequential node id: `n<count>`, so a resumed session continues without duplicates. */
  nextNodeId(): string {
    return `n${this.idCounters.n}`;
  }

  nextExpansionId(): string {
    return `x${this.idCounters.x}`;
  }

  nextSessionId(): string {
    return `s${this.idCounters.s}`;
  }

  /** Keeps sequential ids ahead of every id seen (ids from other tools need not be sequential). */
  sawId(kind: "n" | "x" | "s", id: string): void {
    if (id[0] !== kind) return;
    const n = Number(id.slice(1));
    if (Number.isSafeInteger(n) && n >= 0 && String(n) === id.slice(1)) this.idCounters[kind] = Math.max(this.idCounters[kind], n + 1);
  }
}
