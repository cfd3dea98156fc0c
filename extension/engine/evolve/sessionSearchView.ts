// What the session shows its strategy: the archive's search view with each node's failed
// expansions (SearchNode.failedExpansions) added, and a budget in which the gate's runs count.
// The archive keeps failed expansions as `expansion-finished` events (outcome "failed") but does
// not count them per node, so they are counted here: from the archive's log once when the session
// starts (resumes see earlier failures too), then from its change events.
import type { Archive } from "../archive/archive";
import { readEventLog } from "../archive/eventLog";
import type { Disposable } from "../util/emitter";
import type { ArchiveView, SearchBudget, SearchNode } from "../search/types";
import type { GateLog } from "./gateLog";

export class SessionSearchView {
  private readonly failed = new Map<string, number>();
  private subscription: Disposable | undefined;

  private constructor(
    private readonly archive: Archive,
    private readonly gateLog: GateLog,
  ) {}

  /** Call before the session starts any job: the log is read first, then followed. */
  static async open(archive: Archive, gateLog: GateLog): Promise<SessionSearchView> {
    const view = new SessionSearchView(archive, gateLog);
    await readEventLog(archive.paths.log, (event) => {
      if (event.type === "expansion-finished" && event.outcome === "failed") view.count(event.parentId);
    });
    view.subscription = archive.onDidChange((event) => {
      if (event.type === "expansion-finished" && event.outcome === "failed") view.count(event.parentId);
    });
    return view;
  }

  /** Failed expansions of a node (ended without making a node), across sessions of this archive. */
  failedExpansions(nodeId: string): number {
    return this.failed.get(nodeId) ?? 0;
  }

  view(): ArchiveView {
    const nodes: readonly SearchNode[] = this.archive.searchView().nodes().map((node) => {
      const failedExpansions = this.failed.get(node.id);
      return failedExpansions ? Object.freeze({ ...node, failedExpansions }) : node;
    });
    return { nodes: () => nodes };
  }

  /** The evaluation budget B, spent by evaluations and gate runs alike (SearchBudget). */
  budget(): SearchBudget {
    const { total, used } = this.archive.searchBudget();
    const gateRuns = this.gateLog.runs;
    return { total, used: used + gateRuns, gateRuns };
  }

  dispose(): void {
    this.subscription?.dispose();
  }

  private count(parentId: string): void {
    this.failed.set(parentId, (this.failed.get(parentId) ?? 0) + 1);
  }
}
