// The simulator's archive: mutable nodes behind the read-only ArchiveView, each tied to its
// hidden landscape node. Ids are `n<position>`; positions follow creation order.

import type { ArchiveView, SearchNode, SearchNodeStatus } from "../types";
import type { HiddenNode, Landscape } from "./landscape";

export class SimNode implements SearchNode {
  status: SearchNodeStatus;
  successes = 0;
  failures = 0;
  untestedTasks: number;
  evaluationsInFlight = 0;
  expansionsInFlight = 0;
  /** Expansions started from this node (the next child's ordinal in the landscape). */
  expansionsStarted = 0;

  constructor(
    readonly id: string,
    readonly parentId: string | null,
    readonly hidden: HiddenNode,
    tasks: number,
  ) {
    this.status = hidden.invalid ? "invalid" : "pending";
    this.untestedTasks = hidden.invalid ? 0 : tasks;
  }
}

export class SimArchive implements ArchiveView {
  private readonly list: SimNode[] = [];
  private readonly byId = new Map<string, SimNode>();

  constructor(private readonly landscape: Landscape) {
    this.add(null, landscape.root());
  }

  nodes(): readonly SimNode[] {
    return this.list;
  }

  get(id: string): SimNode {
    const node = this.byId.get(id);
    if (!node) throw new Error(`simulator: unknown node ${id}`);
    return node;
  }

  /** Starts an expansion; returns the landscape ordinal of the child it will make. */
  startExpansion(parent: SimNode): number {
    parent.expansionsInFlight++;
    return parent.expansionsStarted++;
  }

  finishExpansion(parent: SimNode, ordinal: number): SimNode {
    parent.expansionsInFlight--;
    return this.add(parent.id, this.landscape.child(parent.hidden, ordinal));
  }

  /** Reserves `tasks` untested tasks of `node` (they count as running at once). */
  startEvaluations(node: SimNode, tasks: number): void {
    if (node.status === "invalid" || tasks > node.untestedTasks) throw new Error(`simulator: cannot evaluate ${node.id} on ${tasks} tasks`);
    node.untestedTasks -= tasks;
    node.evaluationsInFlight += tasks;
  }

  /** Finishes one running evaluation of `node` on its next task; returns whether it passed. */
  finishEvaluation(node: SimNode): boolean {
    const passed = this.landscape.evaluate(node.hidden, node.successes + node.failures);
    node.evaluationsInFlight--;
    if (passed) node.successes++;
    else node.failures++;
    node.status = "evaluated";
    return passed;
  }

  private add(parentId: string | null, hidden: HiddenNode): SimNode {
    const node = new SimNode(`n${this.list.length}`, parentId, hidden, this.landscape.options.tasks);
    this.list.push(node);
    this.byId.set(node.id, node);
    return node;
  }
}
