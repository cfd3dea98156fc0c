// Nodes as git commits: a seed node from extension/seed-agent, children from modified copies,
// export / show / list / diff, adapter nodes, and no working tree or index disturbed on the way.
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMPTY_TREE } from "../../extension/engine/archive";
import { CladeError } from "../../extension/protocol/errors";
import { seedAgentDir } from "../../extension/engine/resources";
import { CONFIG, editOrigin, removeTempDirs, seedCopy, seededArchive, tempDir } from "./archiveFixtures";

afterAll(removeTempDirs);

const gitIn = (gitDir: string, ...args: string[]): string => execFileSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8" }).trim();

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
  }
  return out.sort();
}

describe("archive nodes in .clade/agents.git", () => {
  it("stores the seed agent as root n0: commit without parent, branch node/n0, identity from the session", async () => {
    const { archive, workspace } = await seededArchive();
    const root = archive.requireNode("n0");
    expect(root.parentId).toBeNull();
    expect(root.identity).toEqual({ scaffoldCommit: root.commit, adapterHash: null, modelHash: CONFIG.modelHash, taskSetHash: CONFIG.taskSetHash, seed: CONFIG.seed });
    const gitDir = path.join(workspace, ".clade", "agents.git");
    expect(gitIn(gitDir, "rev-parse", "node/n0")).toBe(root.commit);
    expect(gitIn(gitDir, "rev-list", "--parents", "-n", "1", root.commit)).toBe(root.commit); // no parents
    expect(gitIn(gitDir, "rev-parse", `${root.commit}^{tree}`)).toBe(root.tree);
    const listed = (await archive.listFiles("n0")).map((f) => f.path).sort();
    expect(listed).toEqual(await filesUnder(seedAgentDir()));
    expect(await archive.readFile("n0", "src/prompts.ts")).toBe(await fs.readFile(path.join(seedAgentDir(), "src/prompts.ts"), "utf8"));
    expect(await fs.readFile(path.join(workspace, ".clade", ".gitignore"), "utf8")).toContain("*");
    await archive.dispose();
  });

  it("adds children from modified copies with the parent's commit as git parent, and diffs them", async () => {
    const { archive, workspace } = await seededArchive();
    const original = await fs.readFile(path.join(seedAgentDir(), "src/prompts.ts"), "utf8");
    const changed = original.replace("You are a careful coding agent", "You are a very careful coding agent");
    expect(changed).not.toBe(original);
    const childDir = await seedCopy({ "src/prompts.ts": changed, "src/notes.md": "one\ntwo\n", "README.md": null });
    const child = await archive.addNode("n0", childDir, { origin: editOrigin("t-add") });
    expect(child.id).toBe("n1");
    const gitDir = path.join(workspace, ".clade", "agents.git");
    expect(gitIn(gitDir, "rev-parse", `${child.commit}^`)).toBe(archive.requireNode("n0").commit);
    expect(gitIn(gitDir, "log", "-1", "--format=%s", child.commit)).toBe("n1: self-edit of n0 (task t-add)");

    const diff = await archive.diff("n1");
    expect(diff.against).toBe("n0");
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(["README.md", "src/notes.md", "src/prompts.ts"]);
    expect(byPath["src/prompts.ts"]).toMatchObject({ status: "modified", added: 1, removed: 1, binary: false });
    expect(byPath["src/notes.md"]).toMatchObject({ status: "added", added: 2, removed: 0 });
    const readmeLines = (await fs.readFile(path.join(seedAgentDir(), "README.md"), "utf8")).split("\n").filter((_, i, a) => i < a.length - 1 || a[i] !== "").length;
    expect(byPath["README.md"]).toMatchObject({ status: "deleted", added: 0, removed: readmeLines });
    expect(diff.added).toBe(3);
    expect(diff.patch).toContain("--- a/src/prompts.ts\n+++ b/src/prompts.ts");
    expect(diff.patch).toContain("+    \"You are a very careful coding agent");
    expect(diff.patch).toContain("+++ b/src/notes.md");

    // Against any other node, and the root against the empty tree.
    const grandchild = await archive.addNode("n1", await seedCopy({ "src/prompts.ts": changed, "src/notes.md": "one\ntwo\nthree\n", "README.md": null }), { origin: editOrigin("t-sub") });
    const vsRoot = await archive.diff(grandchild.id, { against: "n0", patch: false });
    expect(vsRoot.patch).toBeNull();
    expect(vsRoot.files.find((f) => f.path === "src/notes.md")).toMatchObject({ status: "added", added: 3 });
    const rootDiff = await archive.diff("n0", { patch: false });
    expect(rootDiff.against).toBeNull();
    expect(rootDiff.files.every((f) => f.status === "added")).toBe(true);
    expect(rootDiff.files.length).toBe((await archive.listFiles("n0")).length);
    expect(EMPTY_TREE).toMatch(/^[0-9a-f]{40}$/);
    await archive.dispose();
  });

  it("exports a node's scaffold into an empty folder, byte for byte", async () => {
    const { archive } = await seededArchive();
    const childDir = await seedCopy({ "src/extra/deep.ts": "export const x = 1;\n" });
    await archive.addNode("n0", childDir, { origin: editOrigin("t-mul") });
    const out = path.join(await tempDir(), "export");
    await archive.exportNode("n1", out);
    expect(await filesUnder(out)).toEqual(await filesUnder(childDir));
    for (const file of await filesUnder(childDir)) expect(await fs.readFile(path.join(out, file))).toEqual(await fs.readFile(path.join(childDir, file)));
    await expect(archive.exportNode("n1", out)).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    await expect(archive.readFile("n1", "../outside.txt")).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    await expect(archive.readFile("n1", "src/missing.ts")).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    await archive.dispose();
  });

  it("keeps the parent's tree for an adapter node (scaffoldDir null) and records its adapter hash", async () => {
    const { archive } = await seededArchive();
    const adapter = await archive.addNode("n0", null, { origin: { kind: "adapter", targetTask: null, diagnosis: null, problemStatement: null }, identity: { adapterHash: "c".repeat(64) } });
    expect(adapter.tree).toBe(archive.requireNode("n0").tree);
    expect(adapter.commit).not.toBe(archive.requireNode("n0").commit);
    expect(adapter.identity.adapterHash).toBe("c".repeat(64));
    expect((await archive.diff(adapter.id)).files).toEqual([]);
    // Its children keep the adapter unless they name another.
    const child = await archive.addNode(adapter.id, await seedCopy({ "src/x.ts": "export {};\n" }), { origin: editOrigin("t-add") });
    expect(child.identity.adapterHash).toBe("c".repeat(64));
    const bare = await archive.addNode(adapter.id, await seedCopy(), { origin: editOrigin("t-add"), identity: { adapterHash: null } });
    expect(bare.identity.adapterHash).toBeNull();
    await archive.dispose();
  });

  it("does not touch the working tree, index or HEAD of a repository the scaffold lives in", async () => {
    const { archive } = await seededArchive();
    const scaffold = await seedCopy();
    const git = (...args: string[]) => execFileSync("git", ["-C", scaffold, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    await fs.appendFile(path.join(scaffold, "src/prompts.ts"), "// unstaged edit\n");
    await fs.writeFile(path.join(scaffold, "untracked.txt"), "u\n");
    const before = { status: git("status", "--porcelain"), index: git("ls-files", "-s"), head: git("rev-parse", "HEAD") };
    const node = await archive.addNode("n0", scaffold, { origin: editOrigin("t-div") });
    expect({ status: git("status", "--porcelain"), index: git("ls-files", "-s"), head: git("rev-parse", "HEAD") }).toEqual(before);
    // The node has the working-tree content (unstaged edit and untracked file), and no .git.
    expect(await archive.readFile(node.id, "src/prompts.ts")).toContain("// unstaged edit");
    expect(await archive.readFile(node.id, "untracked.txt")).toBe("u\n");
    expect((await archive.listFiles(node.id)).some((f) => f.path.startsWith(".git/"))).toBe(false);
    await archive.dispose();
  });

  it("leaves node_modules out of a node", async () => {
    const { archive } = await seededArchive();
    const scaffold = await seedCopy({ "node_modules/dep/index.js": "module.exports = 1;\n" });
    const node = await archive.addNode("n0", scaffold, { origin: editOrigin("t-add") });
    expect((await archive.listFiles(node.id)).some((f) => f.path.includes("node_modules"))).toBe(false);
    await archive.dispose();
  });

  it("refuses a child of an unknown or invalid parent before writing any commit", async () => {
    const { archive, workspace } = await seededArchive();
    const gitDir = path.join(workspace, ".clade", "agents.git");
    await expect(archive.addNode("n9", await seedCopy(), { origin: editOrigin("t-add") })).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    const bad = await archive.addNode("n0", await seedCopy({ "src/index.ts": "syntax error(" }), { origin: editOrigin("t-add"), status: "invalid", statusReason: "does not build" });
    expect(bad.status).toBe("invalid");
    const branches = gitIn(gitDir, "for-each-ref", "--format=%(refname)");
    await expect(archive.addNode(bad.id, await seedCopy(), { origin: editOrigin("t-add") })).rejects.toSatisfy((e) => CladeError.is(e, "invalid-argument"));
    expect(gitIn(gitDir, "for-each-ref", "--format=%(refname)")).toBe(branches);
    expect(archive.nodes().map((n) => n.id)).toEqual(["n0", "n1"]);
    await archive.dispose();
  });
});
