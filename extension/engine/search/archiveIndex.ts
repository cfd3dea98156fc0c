// One pass over an ArchiveView that every strategy decision starts from: parent indices, working
// children counts, in-flight totals, and clade statistics (successes/failures pooled over a node
// and all its descendants). Clade sums live in this index's own arrays: a node's own results are
// only read, never extended or aliased (the public HGM code appended descendants' results to the
// node's own list while computing clade totals). Buffers are reused between calls.

import { CladeError } from "../../protocol/errors";
import type { ArchiveView, SearchNode } from "./types";

export class ArchiveIndex {
  nodes: readonly SearchNode[] = [];
  /** Parent's position in `nodes`; -1 for the root. */
  parentIndex = new Int32Array(0);
  /** Children that are not invalid (DGM's n_i). */
  workingChildren = new Int32Array(0);
  cladeSuccesses = new Float64Array(0);
  cladeFailures = new Float64Array(0);
  evaluationsInFlight = 0;
  expansionsInFlight = 0;
  /** Expansions that ended without a node, over the whole archive (SearchNode.failedExpansions). */
  failedExpansions = 0;
  /** Finished task evaluations over the whole archive. */
  evaluationsDone = 0;
  private readonly positions = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly parentIds: (string | null)[] = [];

  /** Re-reads the view. Throws when a node's parent is missing or listed after it. */
  update(view: ArchiveView): this {
    const nodes = view.nodes();
    this.nodes = nodes;
    this.ensureCapacity(nodes.length);
    this.refreshPositions(nodes);
    this.evaluationsInFlight = 0;
    this.expansionsInFlight = 0;
    this.failedExpansions = 0;
    this.evaluationsDone = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      this.workingChildren[i] = 0;
      this.cladeSuccesses[i] = node.successes;
      this.cladeFailures[i] = node.failures;
      this.evaluationsInFlight += node.evaluationsInFlight;
      this.expansionsInFlight += node.expansionsInFlight;
      this.failedExpansions += node.failedExpansions ?? 0;
      this.evaluationsDone += node.successes + node.failures;
    }
    // Backward pass: every child comes after its parent, so a node's clade sum is complete
    // before it is added to its parent's.
    for (let i = nodes.length - 1; i >= 0; i--) {
      const parent = this.parentIndex[i];
      if (parent < 0) continue;
      this.cladeSuccesses[parent] += this.cladeSuccesses[i];
      this.cladeFailures[parent] += this.cladeFailures[i];
      if (nodes[i].status !== "invalid") this.workingChildren[parent]++;
    }
    return this;
  }

  position(id: string): number | undefined {
    return this.positions.get(id);
  }

  /**
   * Archives only grow, so positions and parent indices of the nodes seen last time are kept when
   * the view still starts with the same ids (checked on every call); otherwise rebuilt.
   */
  private refreshPositions(nodes: readonly SearchNode[]): void {
    let known = Math.min(this.ids.length, nodes.length);
    for (let i = 0; i < known; i++) {
      if (nodes[i].id !== this.ids[i] || nodes[i].parentId !== this.parentIds[i]) {
        known = 0;
        break;
      }
    }
    if (known === 0 || known < this.ids.length) {
      this.positions.clear();
      this.ids.length = known;
      this.parentIds.length = known;
      for (let i = 0; i < known; i++) this.positions.set(this.ids[i], i);
    }
    for (let i = known; i < nodes.length; i++) {
      const node = nodes[i];
      this.parentIndex[i] = node.parentId === null ? -1 : this.parentPosition(node);
      this.positions.set(node.id, i);
      this.ids.push(node.id);
      this.parentIds.push(node.parentId);
    }
  }

  private parentPosition(node: SearchNode): number {
    const parent = this.positions.get(node.parentId as string);
    if (parent === undefined) {
      this.ids.length = 0; // the next call starts over
      this.parentIds.length = 0;
      this.positions.clear();
      throw new CladeError(
        "invalid-argument",
        `Archive node ${node.id} names parent ${node.parentId}, which is not listed before it.`,
        "List archive nodes in creation order (every parent before its children) and keep every parent in the view.",
      );
    }
    return parent;
  }

  private ensureCapacity(n: number): void {
    if (this.parentIndex.length >= n) return;
    const size = Math.max(n, 2 * this.parentIndex.length, 64);
    const parentIndex = new Int32Array(size);
    parentIndex.set(this.parentIndex);
    this.parentIndex = parentIndex;
    this.workingChildren = new Int32Array(size);
    this.cladeSuccesses = new Float64Array(size);
    this.cladeFailures = new Float64Array(size);
  }
}
