// `clade archive check`: the log's replay against the repository. Every node's commit exists and
// is a commit, its git parent is its parent node's commit, its tree is the recorded one, and its
// `node/<id>` branch points at it; a branch with no node is reported (a crash between writing the
// commit and the event leaves one; the next node created with that id overwrites it).
import type { AgentsRepo } from "./agentsRepo";
import type { ArchiveNode, ArchiveProblem } from "./types";

export async function checkArchive(nodes: readonly ArchiveNode[], repo: AgentsRepo): Promise<ArchiveProblem[]> {
  if (!repo.exists()) {
    return [{ severity: "error", code: "missing-repository", message: `The archive repository ${repo.gitDir} is missing: no node's files can be read.` }];
  }
  const problems: ArchiveProblem[] = [];
  const commits = [...new Set(nodes.map((n) => n.commit))];
  const [types, branches] = await Promise.all([repo.objectTypes(commits), repo.branches()]);
  const present = commits.filter((c) => types.get(c) === "commit");
  const facts = await repo.commitFacts(present);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const node of nodes) {
    const type = types.get(node.commit) ?? "missing";
    if (type === "missing") problems.push(error("missing-commit", node, `Node ${node.id}'s commit ${node.commit} is missing from the repository.`));
    else if (type !== "commit") problems.push(error("not-a-commit", node, `Node ${node.id}'s commit ${node.commit} is a ${type}, not a commit.`));
    else problems.push(...commitProblems(node, facts.get(node.commit), byId));
    const branch = branches.get(node.id);
    if (branch === undefined) problems.push(error("missing-branch", node, `Node ${node.id} has no branch node/${node.id}.`));
    else if (branch !== node.commit) problems.push(error("branch-mismatch", node, `Branch node/${node.id} points at ${branch}, but node ${node.id} is ${node.commit}.`));
  }
  for (const [id, sha] of branches) {
    if (!byId.has(id)) {
      problems.push({ severity: "warning", code: "orphan-branch", nodeId: id, message: `Branch node/${id} (${sha}) belongs to no node in the log (left by an interrupted node creation?).` });
    }
  }
  return problems;
}

function commitProblems(node: ArchiveNode, facts: { tree: string; parents: readonly string[] } | undefined, byId: ReadonlyMap<string, ArchiveNode>): ArchiveProblem[] {
  if (!facts) return [error("missing-commit", node, `Node ${node.id}'s commit ${node.commit} could not be read.`)];
  const problems: ArchiveProblem[] = [];
  if (facts.tree !== node.tree) problems.push(error("tree-mismatch", node, `Node ${node.id}'s commit has tree ${facts.tree}, but the log records ${node.tree}.`));
  const expected = node.parentId === null ? [] : [byId.get(node.parentId)?.commit ?? "(unknown parent)"];
  if (facts.parents.length !== expected.length || facts.parents.some((p, i) => p !== expected[i])) {
    const parent = node.parentId === null ? "no parent (it is the root)" : `parent ${node.parentId}'s commit ${expected[0]}`;
    problems.push(error("parent-mismatch", node, `Node ${node.id}'s commit has git parents [${facts.parents.join(", ")}], expected ${parent}.`));
  }
  return problems;
}

function error(code: ArchiveProblem["code"], node: ArchiveNode, message: string): ArchiveProblem {
  return { severity: "error", code, nodeId: node.id, message };
}
