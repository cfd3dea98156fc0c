// Sandbox.resolvePath against a real file tree with real symlinks and hard links.
import { link, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { createSandbox, type Sandbox } from "../../extension/engine/agent/sandbox/sandbox";

let base: string;
let source: string;
let outside: string;
let sandbox: Sandbox;

async function expectViolation(p: string, mode: "read" | "write"): Promise<CladeError> {
  const error = await sandbox.resolvePath(p, mode).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(CladeError.is(error, "sandbox-violation"), `${p} (${mode}) should be refused, got ${String(error)}`).toBe(true);
  return error as CladeError;
}

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "clade-paths-test-")));
  source = path.join(base, "source");
  outside = path.join(base, "outside");
  await mkdir(path.join(source, "sub"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(source, "a.txt"), "A");
  await writeFile(path.join(source, "sub", "b.txt"), "B");
  await writeFile(path.join(outside, "secret.txt"), "SECRET");
  await symlink("sub/b.txt", path.join(source, "linkIn"));
  await symlink("sub", path.join(source, "subLink"));
  await symlink(path.join(source, "sub", "b.txt"), path.join(source, "absLinkIn")); // absolute, into the source
  await symlink(path.join(outside, "secret.txt"), path.join(source, "linkOutFile"));
  await symlink(outside, path.join(source, "linkOutDir"));
  await symlink("../..", path.join(source, "sub", "up"));
  await symlink("/nonexistent-clade-dir/file", path.join(source, "dangleOut"));
  await symlink("sub/not-yet.txt", path.join(source, "dangleIn"));
  await symlink("loop2", path.join(source, "loop1"));
  await symlink("loop1", path.join(source, "loop2"));
  sandbox = await createSandbox({ sourceDir: source, parentDir: path.join(base, "sandboxes"), name: "paths" });
});

afterAll(async () => {
  await sandbox?.dispose();
  await rm(base, { recursive: true, force: true });
});

describe("Sandbox.resolvePath", () => {
  it("resolves plain relative and absolute-inside paths to real paths in the root", async () => {
    expect(await sandbox.resolvePath("a.txt", "read")).toBe(path.join(sandbox.root, "a.txt"));
    expect(await sandbox.resolvePath("./sub//b.txt", "read")).toBe(path.join(sandbox.root, "sub", "b.txt"));
    expect(await sandbox.resolvePath("sub/../a.txt", "write")).toBe(path.join(sandbox.root, "a.txt"));
    expect(await sandbox.resolvePath(path.join(sandbox.root, "sub", "b.txt"), "read")).toBe(path.join(sandbox.root, "sub", "b.txt"));
    expect(await sandbox.resolvePath(".", "read")).toBe(sandbox.root);
  });

  it("refuses .. above the root and absolute paths outside it", async () => {
    await expectViolation("../outside/secret.txt", "read");
    await expectViolation("sub/../../x", "write");
    await expectViolation("/etc/passwd", "read");
    await expectViolation(path.join(outside, "secret.txt"), "read");
    await expectViolation(path.join(sandbox.root, "..", "home", "x"), "write");
    const error = await expectViolation("/etc/passwd", "write");
    expect(error.fix).toMatch(/inside the task folder/);
  });

  it("follows symlinks that stay inside the root", async () => {
    expect(await sandbox.resolvePath("linkIn", "read")).toBe(path.join(sandbox.root, "sub", "b.txt"));
    expect(await sandbox.resolvePath("subLink/b.txt", "write")).toBe(path.join(sandbox.root, "sub", "b.txt"));
    // `..` after a symlinked folder applies to its target, as in the kernel: subLink/.. is the root.
    expect(await sandbox.resolvePath("subLink/../a.txt", "read")).toBe(path.join(sandbox.root, "a.txt"));
    // The absolute symlink into the source was rewritten to point into the copy.
    expect(await sandbox.resolvePath("absLinkIn", "write")).toBe(path.join(sandbox.root, "sub", "b.txt"));
    // A dangling symlink inside the root resolves to where the file would be created.
    expect(await sandbox.resolvePath("dangleIn", "write")).toBe(path.join(sandbox.root, "sub", "not-yet.txt"));
  });

  it("refuses symlinks that lead out: at the end, in the middle, as the parent of a new file, dangling, relative", async () => {
    await expectViolation("linkOutFile", "read");
    await expectViolation("linkOutDir/secret.txt", "read");
    await expectViolation("linkOutDir/new.txt", "write");
    await expectViolation("linkOutDir/deeper/new.txt", "write");
    await expectViolation("dangleOut", "write");
    await expectViolation("sub/up/outside/secret.txt", "read");
    await expectViolation("loop1", "read");
  });

  it("refuses symlinks the agent's commands create later", async () => {
    await symlink("/etc", path.join(sandbox.root, "sub", "etcLink"));
    await expectViolation("sub/etcLink/hostname", "read");
    await expectViolation("sub/etcLink/new-file", "write");
  });

  it("allows new files and folders under real folders in the root", async () => {
    expect(await sandbox.resolvePath("new/dir/file.txt", "write")).toBe(path.join(sandbox.root, "new", "dir", "file.txt"));
  });

  it("refuses writing a file hard-linked from outside, reading it is allowed", async () => {
    await link(path.join(outside, "secret.txt"), path.join(sandbox.root, "hard.txt"));
    await expectViolation("hard.txt", "write");
    const resolved = await sandbox.resolvePath("hard.txt", "read");
    expect(await readFile(resolved, "utf8")).toBe("SECRET");
  });

  it("rejects malformed paths as invalid arguments", async () => {
    await expect(sandbox.resolvePath("", "read")).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
    await expect(sandbox.resolvePath("a\0b", "read")).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
  });
});
