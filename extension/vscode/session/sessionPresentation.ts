// Rows of the "Sessions" view: the session running in this window (live: budget spent — evaluations
// and gate runs — of the budget, best score, tokens, elapsed) and the archive's past sessions. Pure (no `vscode` import).
import type { ArchiveTree } from "../../protocol/archive";
import type { QueueCounts } from "../../protocol/engine";
import { formatElapsed, type SessionParams } from "./sessionSettings";

export interface SessionRow {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  contextValue?: string;
  children?: SessionRow[];
}

export interface LiveInput {
  params: SessionParams;
  startedAt: number;
  state: "running" | "finished" | "failed" | "cancelled";
  progress?: { done?: number; total?: number; message?: string; queue?: QueueCounts };
  result?: { sessionId: string; stopReason: string; evaluationsDone: number; gateRuns?: number; budget: number; tokens: number; elapsedMs: number; best: { nodeId: string; passed: number; evaluated: number } | null };
  error?: string;
}

export function liveRow(live: LiveInput, tree: ArchiveTree | undefined, now: number): SessionRow {
  const p = live.params;
  // The budget counts evaluations and the gate's runs (the engine's progress `done` counts both).
  const done = live.result ? live.result.evaluationsDone + (live.result.gateRuns ?? 0) : (live.progress?.done ?? tree?.budget.used ?? 0);
  const total = live.result?.budget ?? live.progress?.total ?? p.budgetEvaluations;
  const bestId = live.result?.best?.nodeId ?? tree?.best ?? null;
  const bestNode = bestId ? tree?.nodes.find((n) => n.id === bestId) : undefined;
  const best = live.result?.best ?? (bestNode ? { nodeId: bestNode.id, passed: bestNode.passed, evaluated: bestNode.evaluated } : null);
  const tokens = live.result?.tokens ?? tree?.usage.tokens ?? 0;
  const elapsed = live.result?.elapsedMs ?? now - live.startedAt;
  const state = live.state === "running" ? "running" : live.state === "finished" ? `stopped: ${live.result?.stopReason ?? "done"}` : live.state;
  const children: SessionRow[] = [
    {
      id: "live.evals", label: "Budget", description: `${done} / ${total}${live.result?.gateRuns ? ` (${live.result.gateRuns} gate runs)` : ""}`,
      tooltip: "Task runs spent: evaluations of versions, and the validation gate's runs of new versions (and their parents)", icon: "checklist",
    },
    { id: "live.best", label: "Best", description: best ? `${best.nodeId} · ${best.passed}/${best.evaluated}` : "—", icon: "star-empty" },
    { id: "live.tokens", label: "Tokens", description: tokens.toLocaleString("en-US"), icon: "symbol-numeric" },
    { id: "live.elapsed", label: "Elapsed", description: formatElapsed(elapsed), icon: "watch" },
  ];
  const queue = live.progress?.queue;
  if (queue) {
    children.push({
      id: "live.queue", label: "Queue", description: `${queue.waiting} waiting · ${queue.active} running on ${queue.workers} worker${queue.workers === 1 ? "" : "s"} · ${queue.done} done`,
      tooltip: queue.idle ? `No worker takes these jobs: ${queue.idle}` : `Evaluations run on the workers of ${p.queue ?? "the queue"} (${queue.queue})`, icon: queue.idle ? "warning" : "server-process",
    });
  }
  if (live.progress?.message && live.state === "running") children.push({ id: "live.message", label: "Now", description: live.progress.message, icon: "info" });
  if (live.error && live.state === "failed") children.push({ id: "live.error", label: "Error", description: live.error, tooltip: live.error, icon: "error" });
  return {
    id: "live", label: `${live.result?.sessionId ?? "This window"}: ${p.strategy} on ${p.suite}`, description: state,
    tooltip: `Strategy ${p.strategy}, suite ${p.suite}, budget ${p.budgetEvaluations} task runs (evaluations + gate runs), ${p.parallel} job(s) at once, seed ${p.seed}${p.queue ? `, evaluations on the workers of ${p.queue}` : ""}`,
    icon: live.state === "running" ? "loading~spin" : live.state === "failed" ? "error" : "history",
    contextValue: live.state === "running" ? "cladeSession running" : "cladeSession", children,
  };
}

export function pastRows(tree: ArchiveTree | undefined): SessionRow[] {
  return [...(tree?.sessions ?? [])].reverse().map((s) => ({
    id: `past.${s.id}`, label: `${s.id}: ${s.strategy} on ${s.suite}`,
    description: `budget ${s.budget}${s.resumes ? ` · resumes ${s.resumes}` : ""}`,
    tooltip: `Started ${s.startedAt}; seed ${s.seed}`, icon: "history", contextValue: "cladeSession past",
  }));
}

export function sessionRows(live: LiveInput | undefined, tree: ArchiveTree | undefined, now: number): SessionRow[] {
  const rows = pastRows(tree);
  if (!live) return rows;
  // The live session's own record (once it has an id) is shown as the live row, not twice.
  const liveId = live.result?.sessionId;
  return [liveRow(live, tree, now), ...rows.filter((r) => r.id !== `past.${liveId}`)];
}
