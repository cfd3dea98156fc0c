// `clade archive check`: the log against the repository. A healthy archive has no problems; a
// deleted branch, a missing commit object, a moved branch, a stray branch and a log line that
// names the wrong commit are each found.
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Archive, stampEvent } from "../../extension/engine/archive";
import { editOrigin, removeTempDirs, seedCopy, seededArchive } from "./archiveFixtures";

afterAll(removeTempDirs);

async function twoNodes(): Promise<{ archive: Archive; gitDir: string }> {
  const { archive, workspace } = await seededArchive();
  await archive.addNode("n0", await seedCopy({ "src/new.ts": "export const fresh = true;\n" }), { origin: editOrigin("t-add") });
  return { archive, gitDir: path.join(workspace, ".clade", "agents.git") };
}

const git = (gitDir: string, ...args: string[]): string => execFileSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8" }).trim();

describe("archive check()", () => {
  it("finds nothing wrong in a healthy archive", async () => {
    const { archive } = await twoNodes();
    expect(await archive.check()).toEqual([]);
    await archive.dispose();
  });

  it("finds a deleted branch and a branch that points elsewhere", async () => {
    const { archive, gitDir } = await twoNodes();
    git(gitDir, "update-ref", "-d", "refs/heads/node/n1");
    git(gitDir, "update-ref", "refs/heads/node/n0", archive.requireNode("n1").commit);
    const problems = await archive.check();
    expect(problems.map((p) => [p.code, p.nodeId])).toEqual([
      ["branch-mismatch", "n0"],
      ["missing-branch", "n1"],
    ]);
    expect(problems.every((p) => p.severity === "error")).toBe(true);
    await archive.dispose();
  });

  it("finds a missing commit object", async () => {
    const { archive, gitDir } = await twoNodes();
    const commit = archive.requireNode("n1").commit;
    await fs.rm(path.join(gitDir, "objects", commit.slice(0, 2), commit.slice(2)));
    const problems = await archive.check();
    expect(problems.map((p) => [p.code, p.nodeId])).toContainEqual(["missing-commit", "n1"]);
    expect(problems.find((p) => p.code === "missing-commit")?.message).toContain(commit);
    await archive.dispose();
  });

  it("warns about a branch no node owns (an interrupted node creation), which the next node id reuses", async () => {
    const { archive, gitDir } = await twoNodes();
    git(gitDir, "update-ref", "refs/heads/node/n2", archive.requireNode("n0").commit);
    expect((await archive.check()).map((p) => [p.code, p.nodeId, p.severity])).toEqual([["orphan-branch", "n2", "warning"]]);
    const node = await archive.addNode("n1", await seedCopy(), { origin: editOrigin("t-sub") });
    expect(node.id).toBe("n2");
    expect(git(gitDir, "rev-parse", "node/n2")).toBe(node.commit);
    expect(await archive.check()).toEqual([]);
    await archive.dispose();
  });

  it("finds a logged node whose commit has the wrong parent and tree", async () => {
    const { archive, gitDir } = await twoNodes();
    const n0 = archive.requireNode("n0");
    const n1 = archive.requireNode("n1");
    await archive.dispose();
    // Hand-written event: node n2 claims n1 as parent but points at n0's (root) commit.
    const forged = stampEvent({
      type: "node-created", nodeId: "n2", parentId: "n1", commit: n0.commit, tree: n1.tree, identity: { ...n1.identity, scaffoldCommit: n0.commit },
      origin: editOrigin("t-mul"), status: "pending", reason: null, expansionId: null, cost: null,
    });
    await fs.appendFile(path.join(gitDir, "..", "archive.jsonl"), JSON.stringify(forged) + "\n");
    git(gitDir, "update-ref", "refs/heads/node/n2", n0.commit);
    const reopened = await Archive.open(path.join(gitDir, "..", ".."), { readOnly: true });
    expect((await reopened.check()).map((p) => [p.code, p.nodeId])).toEqual([
      ["tree-mismatch", "n2"],
      ["parent-mismatch", "n2"],
    ]);
    await reopened.dispose();
  });

  it("reports log problems too, and a missing repository", async () => {
    const { archive, gitDir } = await twoNodes();
    await archive.dispose();
    await fs.appendFile(path.join(gitDir, "..", "archive.jsonl"), "garbage\n");
    await fs.rm(gitDir, { recursive: true });
    const reopened = await Archive.open(path.join(gitDir, "..", ".."), { readOnly: true });
    expect((await reopened.check()).map((p) => p.code)).toEqual(["bad-line", "missing-repository"]);
    await reopened.dispose();
  });
});
