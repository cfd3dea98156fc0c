// One check + apply pair per event type: the replay rules of archive.jsonl.
import type { ArchiveState } from "./archiveState";
import type { ArchiveEvent, ArchiveEventType } from "./events";
import { addTokens } from "./nodeStats";
import type { ArchiveNode } from "./types";

export interface EventHandler<E extends ArchiveEvent> {
  check(state: ArchiveState, event: E): string | null;
  apply(state: ArchiveState, event: E): void;
}

type Handlers = { [T in ArchiveEventType]: EventHandler<Extract<ArchiveEvent, { type: T }>> };

const unknownNode = (id: string): string => `node ${id} does not exist`;

export const EVENT_HANDLERS: Handlers = {
  "archive-created": {
    check: (s) => (s.created ? "the archive was already created" : null),
    apply: (s) => {
      s.created = true;
    },
  },
  "session-started": {
    check: (s, e) => {
      if (s.sessions.some((x) => x.id === e.sessionId)) return `session ${e.sessionId} already exists`;
      return e.resumes !== null && !s.sessions.some((x) => x.id === e.resumes) ? `resumed session ${e.resumes} does not exist` : null;
    },
    apply: (s, e) => {
      s.sessions.push({ id: e.sessionId, config: e.config, resumes: e.resumes, startedAt: e.at });
      s.sawId("s", e.sessionId);
      s.taskSet = new Set(e.config.taskIds);
      for (const stats of s.stats) stats.recountTasks(s.taskSet);
      s.touchAll();
    },
  },
  "node-created": {
    check: (s, e) => {
      if (s.position(e.nodeId) !== undefined) return `node ${e.nodeId} already exists`;
      if (e.parentId === null) return s.nodeList.length ? `a second root ${e.nodeId}` : null;
      const parent = s.node(e.parentId);
      if (!parent) return unknownNode(e.parentId);
      if (parent.status === "invalid") return `parent ${e.parentId} is invalid`;
      if (e.expansionId === null) return null;
      const expansion = s.expansions.get(e.expansionId);
      if (!expansion || expansion.state !== "running") return `expansion ${e.expansionId} is not running`;
      return expansion.parentId === e.parentId ? null : `expansion ${e.expansionId} belongs to ${expansion.parentId}, not ${e.parentId}`;
    },
    apply: (s, e) => {
      const node: ArchiveNode = {
        id: e.nodeId, parentId: e.parentId, commit: e.commit, tree: e.tree, identity: e.identity, origin: e.origin,
        status: e.status, statusReason: e.reason, createdAt: e.at, expansionId: e.expansionId, cost: e.cost,
      };
      s.addNode(node);
      s.sawId("n", e.nodeId);
      if (e.cost) {
        addTokens(s.usage.tokens, e.cost.tokens);
        s.usage.wallMs += e.cost.wallMs;
      }
      if (e.expansionId !== null && e.parentId !== null) endExpansion(s, e.expansionId, e.parentId, "created");
    },
  },
  "node-status": {
    check: (s, e) => {
      const node = s.node(e.nodeId);
      if (!node) return unknownNode(e.nodeId);
      if (node.status !== e.from) return `node ${e.nodeId} is ${node.status}, not ${e.from}`;
      if (node.status === "invalid") return `node ${e.nodeId} is invalid; that is final`;
      return e.to === "evaluated" && node.status !== "pending" ? `node ${e.nodeId} is already ${node.status}` : null;
    },
    apply: (s, e) => s.replaceNode({ ...(s.node(e.nodeId) as ArchiveNode), status: e.to, statusReason: e.reason }),
  },
  "evaluation-started": {
    check: (s, e) => {
      const node = s.node(e.nodeId);
      if (!node) return unknownNode(e.nodeId);
      if (node.status === "invalid") return `node ${e.nodeId} is invalid and is never evaluated`;
      const used = s.running.has(e.runId) || s.abandonedRuns.has(e.runId) || s.statsOf(e.nodeId)!.finished(e.runId);
      return used ? `run ${e.runId} was already recorded` : null;
    },
    apply: (s, e) => {
      s.running.set(e.runId, e);
      const stats = s.statsOf(e.nodeId)!;
      stats.inFlight++;
      stats.useTask(e.taskId, s.taskSet);
      s.touched(e.nodeId);
    },
  },
  "evaluation-finished": {
    check: (s, e) => {
      const node = s.node(e.nodeId);
      if (!node) return unknownNode(e.nodeId);
      const run = s.running.get(e.runId);
      if (!run) {
        // Finished without a recorded start: fine once, unless the run ended before.
        if (s.abandonedRuns.has(e.runId) || s.statsOf(e.nodeId)!.finished(e.runId)) return `run ${e.runId} already ended`;
        return node.status === "invalid" ? `node ${e.nodeId} is invalid and is never evaluated` : null;
      }
      return run.nodeId !== e.nodeId || run.taskId !== e.taskId ? `run ${e.runId} was started for ${run.nodeId}/${run.taskId}` : null;
    },
    apply: (s, e) => {
      const stats = s.statsOf(e.nodeId)!;
      if (s.running.delete(e.runId)) stats.inFlight--;
      else stats.useTask(e.taskId, s.taskSet); // finished without a recorded start
      stats.addResult(e);
      s.usage.evaluations++;
      addTokens(s.usage.tokens, e.tokens);
      s.usage.wallMs += e.wallMs;
      const node = s.node(e.nodeId)!;
      if (node.status === "pending") s.replaceNode({ ...node, status: "evaluated", statusReason: null });
      else s.touched(e.nodeId);
    },
  },
  "evaluation-abandoned": {
    check: (s, e) => {
      const run = s.running.get(e.runId);
      if (!run) return `run ${e.runId} is not running`;
      return run.nodeId !== e.nodeId || run.taskId !== e.taskId ? `run ${e.runId} was started for ${run.nodeId}/${run.taskId}` : null;
    },
    apply: (s, e) => {
      s.running.delete(e.runId);
      s.abandonedRuns.add(e.runId);
      const stats = s.statsOf(e.nodeId)!;
      stats.inFlight--;
      stats.releaseTask(e.taskId, s.taskSet);
      s.touched(e.nodeId);
    },
  },
  "node-accepted": {
    check: (s, e) => {
      const node = s.node(e.nodeId);
      if (!node) return unknownNode(e.nodeId);
      if (node.status === "invalid") return `node ${e.nodeId} is invalid`;
      return e.previous !== s.active ? `the active node is ${s.active ?? "none"}, not ${e.previous ?? "none"}` : null;
    },
    apply: (s, e) => {
      s.activeStack.push(e.nodeId);
      s.lastActivation = { kind: "accept", nodeId: e.nodeId };
    },
  },
  "node-reverted": {
    check: (s, e) => {
      if (s.active !== e.nodeId) return `node ${e.nodeId} is not the active node (${s.active ?? "none"} is)`;
      const below = s.activeStack.length > 1 ? s.activeStack[s.activeStack.length - 2] : null;
      return below !== e.restored ? `reverting ${e.nodeId} restores ${below ?? "none"}, not ${e.restored ?? "none"}` : null;
    },
    apply: (s, e) => {
      s.activeStack.pop();
      s.lastActivation = { kind: "revert", nodeId: e.nodeId };
    },
  },
  "expansion-started": {
    check: (s, e) => {
      const parent = s.node(e.parentId);
      if (!parent) return unknownNode(e.parentId);
      if (parent.status === "invalid") return `node ${e.parentId} is invalid and is never expanded`;
      return s.expansions.has(e.expansionId) ? `expansion ${e.expansionId} already exists` : null;
    },
    apply: (s, e) => {
      s.expansions.set(e.expansionId, { expansionId: e.expansionId, parentId: e.parentId, startedAt: e.at, state: "running" });
      s.expansionsStarted++;
      s.sawId("x", e.expansionId);
      s.statsOf(e.parentId)!.expansionsInFlight++;
      s.touched(e.parentId);
    },
  },
  "expansion-finished": {
    check: (s, e) => {
      const expansion = s.expansions.get(e.expansionId);
      if (!expansion || expansion.state !== "running") return `expansion ${e.expansionId} is not running`;
      return expansion.parentId !== e.parentId ? `expansion ${e.expansionId} belongs to ${expansion.parentId}` : null;
    },
    apply: (s, e) => endExpansion(s, e.expansionId, e.parentId, e.outcome),
  },
  "run-recorded": {
    check: (s, e) => {
      const stats = s.statsOf(e.nodeId);
      if (!stats) return unknownNode(e.nodeId);
      return stats.otherRuns.some((r) => r.runId === e.runId) ? `run ${e.runId} was already recorded` : null;
    },
    apply: (s, e) => {
      s.statsOf(e.nodeId)!.otherRuns.push(e);
    },
  },
  "budget-spent": {
    check: (s, e) => (e.nodeId !== null && !s.node(e.nodeId) ? unknownNode(e.nodeId) : null),
    apply: (s, e) => {
      addTokens(s.usage.tokens, e.tokens);
      s.usage.wallMs += e.wallMs;
    },
  },
};

function endExpansion(s: ArchiveState, expansionId: string, parentId: string, outcome: "created" | "failed" | "abandoned"): void {
  s.expansions.get(expansionId)!.state = outcome;
  s.statsOf(parentId)!.expansionsInFlight--;
  s.touched(parentId);
}
