// Accept Version / Revert Version / Undo: through the engine (which records them in the archive
// log). Accept makes the version the active agent; revert returns to the version active before it.
// Each notification offers Undo. Writes nothing outside the archive.
import * as vscode from "vscode";
import type { ActivationResult } from "../../protocol/archive";
import { Requests } from "../../protocol/engine";
import type { CladeDeps } from "../deps";
import { guarded } from "../util/guarded";
import { acceptRefusal, revertRefusal } from "./pickReasons";
import { pickNode, type NodeArg } from "./pickNode";

export const ACCEPT = "clade.acceptVersion";
export const REVERT = "clade.revertVersion";
export const UNDO = "clade.undoActivation";

const seedName = (id: string | null) => id ?? "the seed agent";

async function announce(deps: CladeDeps, text: string): Promise<void> {
  deps.log.info(text);
  const action = await vscode.window.showInformationMessage(text, "Undo");
  if (action === "Undo") await vscode.commands.executeCommand(UNDO);
}

async function accept(deps: CladeDeps, arg: NodeArg): Promise<ActivationResult | undefined> {
  const node = await pickNode(deps.archive, arg, { title: "Accept which version as the active agent?", refusal: { action: "accept", why: acceptRefusal } });
  if (!node) return undefined;
  const result = await deps.archive.request(Requests.accept, { workspace: deps.archive.requireWorkspace(), nodeId: node.id });
  await deps.archive.refresh();
  void announce(deps, `${node.id} is now the active agent (was ${seedName(result.previous)}).`);
  return result;
}

async function revert(deps: CladeDeps, arg: NodeArg): Promise<ActivationResult | undefined> {
  const node = await pickNode(deps.archive, arg ?? deps.archive.tree?.active ?? undefined, { title: "Revert which version?", refusal: { action: "revert", why: (n) => revertRefusal(n, deps.archive.tree?.active ?? null) } });
  if (!node) return undefined;
  const result = await deps.archive.request(Requests.revert, { workspace: deps.archive.requireWorkspace(), nodeId: node.id });
  await deps.archive.refresh();
  void announce(deps, `${node.id} reverted; the active agent is ${seedName(result.active)}.`);
  return result;
}

async function undo(deps: CladeDeps): Promise<ActivationResult> {
  const result = await deps.archive.request(Requests.undo, { workspace: deps.archive.requireWorkspace() });
  await deps.archive.refresh();
  const text = `Undone: the active agent is ${seedName(result.active)}.`;
  deps.log.info(text);
  void vscode.window.showInformationMessage(text);
  return result;
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(ACCEPT, guarded(deps.log, (arg: NodeArg) => accept(deps, arg))),
    vscode.commands.registerCommand(REVERT, guarded(deps.log, (arg: NodeArg) => revert(deps, arg))),
    vscode.commands.registerCommand(UNDO, guarded(deps.log, () => undo(deps))),
  );
}
