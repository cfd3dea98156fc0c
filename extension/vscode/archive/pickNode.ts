// Resolves the node a command acts on: the tree element it was invoked on, a node id (from another
// command or a test), or the user's pick from a quick pick of the archive's versions.
import * as vscode from "vscode";
import type { NodeSummary } from "../../protocol/archive";
import { CladeError } from "../../protocol/errors";
import type { ArchiveModel } from "./archiveModel";
import { displayStatus, formatScore } from "./archivePresentation";

export type NodeArg = NodeSummary | string | undefined;

export async function pickNode(model: ArchiveModel, arg: NodeArg, options: { title: string; filter?: (n: NodeSummary) => boolean }): Promise<NodeSummary | undefined> {
  const tree = model.tree ?? (await model.refresh());
  if (typeof arg === "string" || (arg && typeof arg === "object")) {
    const id = typeof arg === "string" ? arg : arg.id;
    const node = tree?.nodes.find((n) => n.id === id);
    if (!node) throw new CladeError("invalid-argument", `There is no version "${id}" in this workspace's archive.`, "Pick a version from the Archive view.");
    return node;
  }
  const nodes = (tree?.nodes ?? []).filter(options.filter ?? (() => true));
  if (!nodes.length) throw new CladeError("archive-missing", "There is no version to pick in this workspace's archive.", "Run \"Clade: Start Self-Improvement Session…\" first.");
  const picked = await vscode.window.showQuickPick(
    nodes.map((n) => ({ label: n.id, description: `${displayStatus(n)} · ${formatScore(n)}`, detail: n.statusReason?.split("\n")[0], node: n })),
    { title: options.title, matchOnDescription: true },
  );
  return picked?.node;
}
