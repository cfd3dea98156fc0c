// Review commands: Show Diff vs Parent, Compare Two Versions (per file with `vscode.diff` over the
// read-only `clade-node:` documents, and a multi-file change list), Show Details and Open
// Trajectory (Markdown documents).
import { markedPath } from "../../protocol/displayText";
import * as vscode from "vscode";
import type { NodeDiffSummary, NodeSummary } from "../../protocol/archive";
import { Requests } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { CladeDeps } from "../deps";
import { guarded } from "../util/guarded";
import { pickNode, type NodeArg } from "./pickNode";
import { NODE_SCHEME, NodeContentProvider, nodeFileUri } from "./nodeContentProvider";
import { SHOW_DETAILS } from "./archiveTreeView";
import { nodeDetailsMarkdown, trajectoryMarkdown } from "./reviewMarkdown";

export const SHOW_DIFF = "clade.showDiff";
export const COMPARE = "clade.compareVersions";
export const OPEN_TRAJECTORY = "clade.openTrajectory";

const EMPTY = (nodeId: string, file: string) => nodeFileUri(nodeId, file).with({ query: "missing" });

/** Opens the change from `against` to `node`: one file directly, several as a quick pick with "All files". */
async function openDiff(deps: CladeDeps, node: NodeSummary, against: string | null, file?: string): Promise<NodeDiffSummary> {
  const workspace = deps.archive.requireWorkspace();
  const diff = await deps.archive.request(Requests.nodeDiff, { workspace, nodeId: node.id, against, patch: false });
  const base = against ?? "empty";
  const sides = (f: NodeDiffSummary["files"][number]) => {
    const left = against === null || f.status === "added" ? EMPTY(against ?? node.id, f.path) : nodeFileUri(against, f.path);
    const right = f.status === "deleted" ? EMPTY(node.id, f.path) : nodeFileUri(node.id, f.path);
    return { left, right, title: `${markedPath(f.path)} (${base} ↔ ${node.id})` };
  };
  if (!diff.files.length) {
    void vscode.window.showInformationMessage(`${node.id} has the same files as ${base}.`);
    return diff;
  }
  const only = file ? diff.files.find((f) => f.path === file) : diff.files.length === 1 ? diff.files[0] : undefined;
  if (file && !only) throw new CladeError("invalid-argument", `${node.id} does not change ${file} (vs ${base}).`, "Pick one of the changed files.");
  if (only) {
    const s = sides(only);
    await vscode.commands.executeCommand("vscode.diff", s.left, s.right, s.title, { preview: false });
    return diff;
  }
  type Item = vscode.QuickPickItem & { files: NodeDiffSummary["files"] };
  const items: Item[] = [
    { label: `$(diff-multiple) All ${diff.files.length} files`, description: `+${diff.added} −${diff.removed}`, files: diff.files },
    ...diff.files.map((f) => ({ label: markedPath(f.path), description: `${f.status} +${f.added ?? "?"} −${f.removed ?? "?"}`, files: [f] })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Changes in ${node.id} vs ${base}` });
  if (!picked) return diff;
  if (picked.files.length === 1) {
    const s = sides(picked.files[0]);
    await vscode.commands.executeCommand("vscode.diff", s.left, s.right, s.title, { preview: false });
  } else {
    const resources = picked.files.map((f) => {
      const s = sides(f);
      return [s.right, s.left, s.right];
    });
    await vscode.commands.executeCommand("vscode.changes", `${node.id} vs ${base}`, resources);
  }
  return diff;
}

async function showDiff(deps: CladeDeps, arg: NodeArg, file?: string): Promise<NodeDiffSummary | undefined> {
  const node = await pickNode(deps.archive, arg, { title: "Show the changes of which version (vs its parent)?", filter: (n) => n.parentId !== null });
  return node ? openDiff(deps, node, node.parentId, file) : undefined;
}

async function compare(deps: CladeDeps, arg: NodeArg, other?: string): Promise<NodeDiffSummary | undefined> {
  const left = await pickNode(deps.archive, arg, { title: "Compare: the first (older) version" });
  if (!left) return undefined;
  const right = await pickNode(deps.archive, other, { title: `Compare ${left.id} with which version?`, filter: (n) => n.id !== left.id });
  return right ? openDiff(deps, right, left.id) : undefined;
}

async function showDetails(deps: CladeDeps, arg: NodeArg, options: { preview?: boolean } = {}): Promise<string | undefined> {
  const node = await pickNode(deps.archive, arg, { title: "Show the details of which version?" });
  if (!node) return undefined;
  const details = await deps.archive.request(Requests.nodeDetails, { workspace: deps.archive.requireWorkspace(), nodeId: node.id });
  const markdown = nodeDetailsMarkdown(details);
  await deps.documents.show(`Version ${node.id}`, markdown, { preview: options.preview ?? true });
  return markdown;
}

async function openTrajectory(deps: CladeDeps, arg: NodeArg, runId?: string): Promise<string | undefined> {
  const node = await pickNode(deps.archive, arg, { title: "Open a trajectory of which version?", filter: (n) => n.evaluated > 0 });
  if (!node) return undefined;
  const workspace = deps.archive.requireWorkspace();
  let run = runId;
  if (!run) {
    const details = await deps.archive.request(Requests.nodeDetails, { workspace, nodeId: node.id });
    if (!details.results.length) throw new CladeError("invalid-argument", `${node.id} has no finished runs yet.`, "Evaluate it first (Evaluate on Suite).");
    const picked = details.results.length === 1 ? { runId: details.results[0].runId } : await vscode.window.showQuickPick(
      details.results.map((r) => ({ label: r.taskId, description: `${r.passed ? "pass" : "fail"} · ${r.stopReason} · ${r.turns} turns`, runId: r.runId })),
      { title: `Trajectories of ${node.id}` },
    );
    run = picked?.runId;
  }
  if (!run) return undefined;
  const jsonl = await deps.archive.request(Requests.trajectory, { workspace, nodeId: node.id, runId: run });
  const markdown = trajectoryMarkdown(jsonl, `${node.id} · ${run}`);
  await deps.documents.show(`Trajectory ${node.id} ${run}`, markdown);
  return markdown;
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(NODE_SCHEME, new NodeContentProvider(deps.archive)),
    vscode.commands.registerCommand(SHOW_DIFF, guarded(deps.log, (arg: NodeArg, file?: string) => showDiff(deps, arg, file))),
    vscode.commands.registerCommand(COMPARE, guarded(deps.log, (arg: NodeArg, other?: string) => compare(deps, arg, other))),
    vscode.commands.registerCommand(SHOW_DETAILS, guarded(deps.log, (arg: NodeArg, options?: { preview?: boolean }) => showDetails(deps, arg, options))),
    vscode.commands.registerCommand(OPEN_TRAJECTORY, guarded(deps.log, (arg: NodeArg, runId?: string) => openTrajectory(deps, arg, runId))),
  );
}
