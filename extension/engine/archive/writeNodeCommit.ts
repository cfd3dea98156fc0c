// The git half of adding a node: the scaffold folder (or, for an adapter node, the parent's
// unchanged tree) becomes a commit whose git parent is the parent node's commit, on `node/<id>`.
import { CladeError } from "../../protocol/errors";
import type { AgentsRepo } from "./agentsRepo";
import type { ArchiveNode, NodeOrigin } from "./types";

export interface NodeCommitRequest {
  readonly nodeId: string;
  readonly parent: ArchiveNode | null;
  /** null: keep the parent's files (a node that differs only by its adapter). */
  readonly scaffoldDir: string | null;
  readonly origin: NodeOrigin;
}

export async function writeNodeCommit(repo: AgentsRepo, request: NodeCommitRequest): Promise<{ commit: string; tree: string }> {
  const { nodeId, parent, scaffoldDir } = request;
  if (scaffoldDir === null && parent === null) {
    throw new CladeError("invalid-argument", `The root node ${nodeId} needs a scaffold folder.`, "Pass the seed agent's folder when adding the first node.");
  }
  const tree = scaffoldDir === null ? parent!.tree : await repo.writeFolderTree(scaffoldDir);
  const commit = await repo.commitTree(tree, parent?.commit ?? null, commitMessage(request));
  await repo.setBranch(nodeId, commit);
  return { commit, tree };
}

/** Subject `n7: self-edit of n3 (task t1-foo)`, the problem statement, and id trailers. */
export function commitMessage({ nodeId, parent, origin }: NodeCommitRequest): string {
  const target = origin.targetTask ? ` (task ${origin.targetTask})` : "";
  const subject = parent ? `${nodeId}: ${origin.kind} of ${parent.id}${target}` : `${nodeId}: ${origin.kind}`;
  const body = origin.problemStatement?.trim() ? `\n\n${origin.problemStatement.trim().slice(0, 4000)}` : "";
  return `${subject}${body}\n\nClade-Node: ${nodeId}\nClade-Parent: ${parent?.id ?? "none"}\n`;
}
