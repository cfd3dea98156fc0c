// An ask's snapshot and change, on real folders: what is copied (with and without git), what a
// change is (added / modified / deleted / binary, a patch git accepts), and apply's all-or-nothing
// conflict rule.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyChange, diffWorkspace } from "../../extension/engine/ask/workspaceChange";
import { listWorkspaceFiles, snapshotWorkspace } from "../../extension/engine/ask/workspaceSnapshot";

function tree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clade-ask-unit-"));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe("workspace snapshot", () => {
  it("without git: skips .git, .clade, node_modules and what the root .gitignore names", async () => {
    const dir = tree({ ".gitignore": "dist/\n*.log\n", "src/a.js": "a", "dist/b.js": "b", "x.log": "l", "node_modules/m/index.js": "m", ".clade/archive.jsonl": "{}", "README.md": "r" });
    expect((await listWorkspaceFiles(dir)).paths).toEqual([".gitignore", "README.md", "src/a.js"]);
  });

  it("in a git work tree: tracked and untracked files, uncommitted edits included, ignored ones not", async () => {
    const dir = tree({ ".gitignore": "out/\n", "a.txt": "one\n", "out/gen.txt": "g" });
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "x");
    writeFileSync(path.join(dir, "a.txt"), "one, edited\n");
    writeFileSync(path.join(dir, "new.txt"), "new\n");
    const dest = mkdtempSync(path.join(os.tmpdir(), "clade-ask-snap-"));
    const snap = await snapshotWorkspace(dir, dest);
    expect(snap.files.map((f) => f.path)).toEqual([".gitignore", "a.txt", "new.txt"]);
    expect(snap.dirty).toBe(true);
    expect(snap.head).toMatch(/^[0-9a-f]{40}$/);
    expect(readFileSync(path.join(dest, "a.txt"), "utf8")).toBe("one, edited\n");
  });
});

describe("workspace change", () => {
  it("names added, modified, deleted and binary files, and writes a patch git applies", async () => {
    const before = tree({ "keep.txt": "same\n", "mod.txt": "1\n2\n3\n", "gone.txt": "bye\n", "img.bin": Buffer.from([0, 1, 2]) });
    const after = tree({ "keep.txt": "same\n", "mod.txt": "1\ntwo\n3\n", "added/new.txt": "hello\n", "img.bin": Buffer.from([0, 1, 3]) });
    const keep = mkdtempSync(path.join(os.tmpdir(), "clade-ask-keep-"));
    const change = await diffWorkspace(before, after, keep);
    expect(change.files.map((f) => [f.path, f.kind, f.binary, f.added, f.removed])).toEqual([
      ["added/new.txt", "added", false, 1, 0],
      ["gone.txt", "deleted", false, 0, 1],
      ["img.bin", "modified", true, 0, 0],
      ["mod.txt", "modified", false, 1, 1],
    ]);
    expect(change.patch).toContain("Binary files a/img.bin and b/img.bin differ");
    // git applies the text part of it to a copy of `before`.
    const text = change.patch.split(/(?=^diff --git )/m).filter((part) => !part.includes("Binary files")).join("");
    const target = tree({ "mod.txt": "1\n2\n3\n", "gone.txt": "bye\n" });
    writeFileSync(path.join(target, "p.patch"), text);
    execFileSync("git", ["apply", "p.patch"], { cwd: target });
    expect(readFileSync(path.join(target, "mod.txt"), "utf8")).toBe("1\ntwo\n3\n");
    expect(readFileSync(path.join(target, "added/new.txt"), "utf8")).toBe("hello\n");
    expect(existsSync(path.join(target, "gone.txt"))).toBe(false);
  });

  it("apply is all or nothing: one file changed meanwhile blocks every write", async () => {
    const before = tree({ "a.txt": "a\n", "b.txt": "b\n" });
    const after = tree({ "a.txt": "A\n", "b.txt": "B\n" });
    const keep = mkdtempSync(path.join(os.tmpdir(), "clade-ask-keep-"));
    const change = await diffWorkspace(before, after, keep);
    const workspace = tree({ "a.txt": "a\n", "b.txt": "b, edited by the user\n" });
    expect(await applyChange(workspace, keep, change)).toEqual({ ok: false, conflicts: [{ path: "b.txt", why: "you changed it after the ask started" }] });
    expect(readFileSync(path.join(workspace, "a.txt"), "utf8")).toBe("a\n");
    writeFileSync(path.join(workspace, "b.txt"), "b\n");
    expect(await applyChange(workspace, keep, change)).toEqual({ ok: true, written: ["a.txt", "b.txt"], deleted: [] });
    expect(readFileSync(path.join(workspace, "b.txt"), "utf8")).toBe("B\n");
  });

  it("refuses a file name with control or invisible characters", async () => {
    const before = tree({ "a.txt": "a" });
    const after = tree({ "a.txt": "a", "bad\u202ename.txt": "x" });
    await expect(diffWorkspace(before, after, mkdtempSync(path.join(os.tmpdir(), "clade-ask-keep-")))).rejects.toThrow(/control or invisible characters/);
  });
});

describe("workspace snapshot inside an enclosing repository that ignores it", () => {
  it("walks the folder (a project of its own) instead of taking git's empty list", async () => {
    const outer = tree({ ".gitignore": "inner/\n", "inner/a.js": "a", "inner/test/a.test.js": "t" });
    execFileSync("git", ["init", "-q"], { cwd: outer });
    expect((await listWorkspaceFiles(path.join(outer, "inner"))).paths).toEqual(["a.js", "test/a.test.js"]);
  });
});
