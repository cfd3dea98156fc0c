// Read-only documents on the `clade-node:` scheme: `clade-node:/<nodeId>/<path>` is the file at
// that version, read by the engine from the archive repository (`.clade/agents.git`). A file the
// version does not have (added / deleted in a diff) reads as empty.
import * as vscode from "vscode";
import { Requests } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { ArchiveModel } from "./archiveModel";

export const NODE_SCHEME = "clade-node";

export function nodeFileUri(nodeId: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: NODE_SCHEME, path: `/${nodeId}/${file}` });
}

export function parseNodeFileUri(uri: vscode.Uri): { nodeId: string; file: string } {
  const match = /^\/([^/]+)\/(.+)$/.exec(uri.path);
  if (!match) throw new CladeError("invalid-argument", `${uri.toString()} does not name a version's file.`, "Open files of a version from the Archive view.");
  return { nodeId: match[1], file: match[2] };
}

export class NodeContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly model: ArchiveModel) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (uri.query === "missing") return "";
    const { nodeId, file } = parseNodeFileUri(uri);
    try {
      return await this.model.request(Requests.nodeFile, { workspace: this.model.requireWorkspace(), nodeId, path: file });
    } catch (error) {
      if (CladeError.is(error, "invalid-argument")) return "";
      throw error;
    }
  }
}
