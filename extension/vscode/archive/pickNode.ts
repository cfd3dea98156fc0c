// Resolves the node a command acts on: the tree element it was invoked on, a node id (from another
// command or a test), or the user's pick from a quick pick of the archive's versions.
import * as vscode from "vscode";
import type { NodeSummary } from "../../protocol/archive";
import { CladeError } from "../../protocol/errors";
import type { ArchiveModel } from "./archiveModel";
import { displayStatus, formatScore } from "./archivePresentation";
import { nothingToPick } from "./pickReasons";

export type NodeArg = NodeSummary | string | undefined;

export interface PickOptions {
  title: string;
  filter?: (n: NodeSummary) => boolean;
  /** For accept / revert: why a version cannot be picked (null: it can); said instead of an empty list. */
  refusal?: { action: "accept" | "revert"; why: (n: NodeSummary) => string | null };
}

export async function pickNode(model: ArchiveModel, arg: NodeArg, options: PickOptions): Promise<NodeSummary | undefined> {
  const tree = model.tree ?? (await model.refresh());
  const refusal = options.refusal;
  if (typeof arg === "string" || (arg && typeof arg === "object")) {
    const id = typeof arg === "string" ? arg : arg.id;
    const node = tree?.nodes.find((n) => n.id === id);
    if (!node) throw new CladeError("invalid-argument", `There is no version "${id}" in this workspace's archive.`, "Pick a version from the Archive view.");
    const why = refusal?.why(node);
    if (refusal && why) throw new CladeError("invalid-argument", `${node.id} cannot be ${refusal.action === "accept" ? "accepted" : "reverted"}: ${why}.`, "Pick another version in the Archive view.");
    return node;
  }
  const all = tree?.nodes ?? [];
  const nodes = all.filter((n) => (options.filter ?? (() => true))(n) && !refusal?.why(n));
  if (!nodes.length && refusal) {
    const { message, fix } = nothingToPick(refusal.action, all, refusal.why);
    throw new CladeError(all.length ? "invalid-argument" : "archive-missing", message, fix);
  }
  if (!nodes.length) throw new CladeError("archive-missing", "There is no version to pick in this workspace's archive.", "Run \"Clade: Start Self-Improvement Session…\" first.");
  const picked = await vscode.window.showQuickPick(
    nodes.map((n) => ({ label: n.id, description: `${displayStatus(n)} · ${formatScore(n)}`, detail: n.statusReason?.split("\n")[0], node: n })),
    { title: options.title, matchOnDescription: true },
  );
  return picked?.node;
}
