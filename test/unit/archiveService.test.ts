// The engine's archive service (what the VS Code views read): tree summaries, details with the test
// output from the trajectory's end record, diffs, files, accept/revert/undo through a short-lived
// writer, the shared writer while a session holds it, `reverted` flags, and change notifications.
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ArchiveService } from "../../extension/engine/archive/archiveService";
import { CladeError } from "../../extension/protocol/errors";
import { editOrigin, removeTempDirs, run, seedCopy, seededArchive, tempDir } from "./archiveFixtures";

afterEach(removeTempDirs);

async function fixture() {
  const { archive, workspace } = await seededArchive();
  const child = await archive.addNode("n0", await seedCopy({ "NOTES.md": "edited\n" }), { origin: editOrigin("t-add") });
  const trajectory = path.join(workspace, ".clade", "runs", "r1.jsonl");
  await fs.mkdir(path.dirname(trajectory), { recursive: true });
  const end = { type: "end", result: { passed: true, summary: "done it", test: { exitCode: 0, timedOut: false, output: "ok 1 - adds" } } };
  await fs.writeFile(trajectory, `${JSON.stringify({ type: "start", task: { id: "t-add" } })}\n${JSON.stringify(end)}\n`);
  await archive.recordEvaluationStarted(child.id, "t-add", "r1");
  await archive.recordEvaluationFinished(child.id, { ...run("r1", "t-add", true), trajectory });
  await archive.recordEvaluationStarted("n0", "t-add", "r0");
  await archive.recordEvaluationFinished("n0", run("r0", "t-add", false));
  await archive.dispose();
  return { workspace, child: child.id };
}

describe("ArchiveService", () => {
  it("reports an empty tree for a workspace without an archive, and a typed error for details", async () => {
    const service = new ArchiveService();
    const workspace = await tempDir();
    const tree = await service.tree(workspace);
    expect(tree.exists).toBe(false);
    expect(tree.nodes).toEqual([]);
    await expect(service.details(workspace, "n0")).rejects.toSatisfy((e: unknown) => CladeError.is(e, "archive-missing"));
    await service.dispose();
  });

  it("summarizes nodes (score, best, tokens) and details with test output from the trajectory", async () => {
    const { workspace, child } = await fixture();
    const service = new ArchiveService();
    const tree = await service.tree(workspace);
    expect(tree.exists).toBe(true);
    expect(tree.nodes.map((n) => [n.id, n.passed, n.evaluated])).toEqual([["n0", 0, 1], [child, 1, 1]]);
    expect(tree.best).toBe(child);
    expect(tree.session?.strategy).toBe("hgm");
    expect(tree.nodes[1].tokens).toBeGreaterThan(0);
    const details = await service.details(workspace, child);
    expect(details.results[0].test?.output).toBe("ok 1 - adds");
    expect(details.results[0].summary).toBe("done it");
    expect(details.files).toContain("NOTES.md");
    const diff = await service.diff(workspace, child, undefined, true);
    expect(diff.against).toBe("n0");
    expect(diff.files.some((f) => f.path === "NOTES.md")).toBe(true);
    expect(await service.file(workspace, child, "NOTES.md")).toBe("edited\n");
    expect(await service.trajectory(workspace, child, "r1")).toContain('"type":"end"');
    await expect(service.trajectory(workspace, child, "r0")).rejects.toSatisfy((e: unknown) => CladeError.is(e, "invalid-argument"));
    await service.dispose();
  });

  it("accepts, reverts (marking the node reverted) and undoes, notifying listeners", async () => {
    const { workspace, child } = await fixture();
    const service = new ArchiveService();
    const changes: string[] = [];
    service.onDidChange((c) => changes.push(c.workspace));
    await service.tree(workspace);
    expect(await service.accept(workspace, child)).toEqual({ active: child, previous: null });
    let tree = await service.tree(workspace);
    expect(tree.active).toBe(child);
    expect(tree.nodes.find((n) => n.id === child)?.active).toBe(true);
    expect(await service.revert(workspace, child)).toEqual({ active: null, previous: child });
    tree = await service.tree(workspace);
    expect(tree.active).toBeNull();
    expect(tree.nodes.find((n) => n.id === child)?.reverted).toBe(true);
    expect(tree.lastActivation).toEqual({ kind: "revert", nodeId: child });
    expect((await service.undo(workspace)).active).toBe(child);
    tree = await service.tree(workspace);
    expect(tree.nodes.find((n) => n.id === child)?.reverted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((w) => w === path.resolve(workspace))).toBe(true);
    await service.dispose();
  });

  it("while a session holds the writer, reads and accepts go through it (no second writer)", async () => {
    const { workspace, child } = await fixture();
    const service = new ArchiveService();
    const writer = await service.acquireWriter(workspace);
    expect(service.isRunning(workspace)).toBe(true);
    expect((await service.tree(workspace)).running).toBe(true);
    await expect(service.acquireWriter(workspace)).rejects.toSatisfy((e: unknown) => CladeError.is(e, "archive-locked"));
    const added = await writer.archive.addNode("n0", await seedCopy({ "B.md": "b\n" }), { origin: editOrigin("t-sub") });
    expect((await service.tree(workspace)).nodes.map((n) => n.id)).toContain(added.id);
    await service.accept(workspace, child);
    expect(writer.archive.activeNode()?.id).toBe(child);
    await writer.release();
    const tree = await service.tree(workspace);
    expect(tree.running).toBe(false);
    expect(tree.active).toBe(child);
    await service.dispose();
  });

  it("sees what another process appends (read-only reader refreshes)", async () => {
    const { workspace } = await fixture();
    const service = new ArchiveService();
    expect((await service.tree(workspace)).nodes).toHaveLength(2);
    const { Archive } = await import("../../extension/engine/archive/archive");
    const other = await Archive.open(workspace);
    await other.addNode("n0", await seedCopy({ "C.md": "c\n" }), { origin: editOrigin("t-mul") });
    await other.dispose();
    expect((await service.tree(workspace)).nodes).toHaveLength(3);
    await service.dispose();
  });
});
