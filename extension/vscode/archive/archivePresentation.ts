// How an archive node looks in the Archive tree: display status, icon, description, tooltip and the
// contextValue its menus key on. Pure (no `vscode` import): archiveTreeView.ts applies it.
import type { NodeDisplayStatus, NodeSummary } from "../../protocol/archive";
import type { UserTaskScore } from "../../protocol/ask";

export interface NodePresentation {
  label: string;
  description: string;
  /** A codicon id for ThemeIcon, and the theme colour id for it (or undefined). */
  icon: string;
  iconColor: string | undefined;
  tooltip: string;
  /** `cladeNode` plus `.active`/`.acceptable`/`.evaluated`/`.hasParent` flags, space separated for `viewItem =~ /…/`. */
  contextValue: string;
  status: NodeDisplayStatus;
}

export function displayStatus(node: NodeSummary): NodeDisplayStatus {
  if (node.active) return "active";
  if (node.reverted) return "reverted";
  return node.status;
}

const ICONS: Record<NodeDisplayStatus, [string, string | undefined]> = {
  pending: ["circle-large-outline", undefined],
  invalid: ["error", "errorForeground"],
  evaluated: ["pass", "testing.iconPassed"],
  active: ["star-full", "charts.yellow"],
  reverted: ["discard", "disabledForeground"],
};

export function formatScore(node: NodeSummary): string {
  if (node.evaluated === 0) return node.status === "invalid" ? "invalid" : "not evaluated";
  return `${Math.round(100 * (node.score ?? 0))}% (${node.passed}/${node.evaluated})`;
}

/** A version's score on the user's own requests: asks applied of asks made. */
export function formatUserTasks(score: UserTaskScore): string {
  return `your tasks ${score.applied}/${score.asks}`;
}

export function shortHash(hash: string | null): string {
  if (!hash) return "none";
  return hash.length > 12 ? hash.slice(0, 12) : hash;
}

export function nodePresentation(node: NodeSummary, best: string | null): NodePresentation {
  const status = displayStatus(node);
  // An evaluated version that passed nothing gets no green check.
  const [icon, iconColor] = status === "evaluated" && node.evaluated > 0 && node.passed === 0 ? ["circle-slash", "testing.iconFailed"] : ICONS[status];
  const tags = [status === "active" ? "active" : "", node.id === best ? "best" : "", node.running ? `${node.running} running` : "", node.userTasks ? formatUserTasks(node.userTasks) : ""].filter(Boolean);
  const origin = node.origin === "seed" ? "seed" : node.targetTask ? `${node.origin} for ${node.targetTask}` : node.origin;
  const tooltip = [
    `${node.id} — ${status}${node.statusReason ? `: ${node.statusReason.split("\n")[0]}` : ""}`,
    `score: ${formatScore(node)}`,
    `origin: ${origin}`,
    `model: ${shortHash(node.modelHash)}`,
    `adapter: ${shortHash(node.adapterHash)}`,
    `seed: ${node.seed}`,
    `tokens: ${node.tokens.toLocaleString("en-US")}`,
    ...(node.userTasks ? [`your tasks: ${node.userTasks.applied} of ${node.userTasks.asks} asks applied, ${node.userTasks.appliedPassing} with passing tests`] : []),
  ].join("\n");
  const flags = ["cladeNode", status, node.parentId ? "hasParent" : "", node.evaluated ? "hasRuns" : "", node.status !== "invalid" && !node.active ? "acceptable" : ""].filter(Boolean);
  return { label: node.id, description: [formatScore(node), ...tags].join(" · "), icon, iconColor, tooltip, contextValue: flags.join(" "), status };
}

/** Children of each node id (null: roots), in archive order. */
export function childrenIndex(nodes: readonly NodeSummary[]): Map<string | null, NodeSummary[]> {
  const index = new Map<string | null, NodeSummary[]>();
  for (const node of nodes) {
    const list = index.get(node.parentId);
    if (list) list.push(node);
    else index.set(node.parentId, [node]);
  }
  return index;
}
