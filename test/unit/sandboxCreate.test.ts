// createSandbox: a fresh, independent copy per run (never hard links), symlinks kept, cleanup
// that survives read-only folders, and the create + dispose time goal of BENCH.md.
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, realpath, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { median } from "../../extension/engine/agent/sandbox/measureSandboxOverhead";
import { createSandbox } from "../../extension/engine/agent/sandbox/sandbox";

let base: string;
let source: string;
let parentDir: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "clade-create-test-")));
  source = path.join(base, "task");
  parentDir = path.join(base, "sandboxes");
  await mkdir(path.join(source, "src", "lib"), { recursive: true });
  await writeFile(path.join(source, "README.md"), "# task\n");
  await writeFile(path.join(source, "src", "main.py"), "print('hi')\n");
  await writeFile(path.join(source, "src", "lib", "util.py"), "X = 1\n");
  await writeFile(path.join(source, "run.sh"), "#!/bin/sh\necho run\n");
  await chmod(path.join(source, "run.sh"), 0o755);
  await symlink("src/main.py", path.join(source, "main-link"));
  await symlink(path.join(source, "src", "lib"), path.join(source, "abs-lib-link"));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("createSandbox", () => {
  it("copies the starting files; changing the copy leaves the source intact", async () => {
    const sandbox = await createSandbox({ sourceDir: source, parentDir, name: "task/1 weird name" });
    try {
      expect(path.basename(path.dirname(sandbox.root))).toMatch(/^task-1-weird-name-/);
      const copy = path.join(sandbox.root, "src", "main.py");
      expect(await readFile(copy, "utf8")).toBe("print('hi')\n");
      const [copyInfo, sourceInfo] = await Promise.all([stat(copy), stat(path.join(source, "src", "main.py"))]);
      expect(copyInfo.ino).not.toBe(sourceInfo.ino);
      expect(copyInfo.nlink).toBe(1);
      await writeFile(await sandbox.resolvePath("src/main.py", "write"), "print('changed')\n");
      await writeFile(await sandbox.resolvePath("README.md", "write"), "overwritten");
      expect(await readFile(path.join(source, "src", "main.py"), "utf8")).toBe("print('hi')\n");
      expect(await readFile(path.join(source, "README.md"), "utf8")).toBe("# task\n");
      expect((await stat(path.join(sandbox.root, "run.sh"))).mode & 0o111).not.toBe(0);
    } finally {
      await sandbox.dispose();
    }
  });

  it("keeps symlinks, rewriting absolute ones into the source so they point into the copy", async () => {
    const sandbox = await createSandbox({ sourceDir: source, parentDir });
    try {
      expect(await readlink(path.join(sandbox.root, "main-link"))).toBe("src/main.py");
      const absolute = path.join(sandbox.root, "abs-lib-link");
      expect((await lstat(absolute)).isSymbolicLink()).toBe(true);
      expect(await realpath(absolute)).toBe(path.join(sandbox.root, "src", "lib"));
      await writeFile(path.join(absolute, "util.py"), "X = 2\n");
      expect(await readFile(path.join(source, "src", "lib", "util.py"), "utf8")).toBe("X = 1\n");
    } finally {
      await sandbox.dispose();
    }
  });

  it("gives every run its own copy, HOME and TMPDIR", async () => {
    const [first, second] = await Promise.all([createSandbox({ sourceDir: source, parentDir }), createSandbox({ sourceDir: source, parentDir })]);
    try {
      expect(first.root).not.toBe(second.root);
      await writeFile(path.join(first.root, "README.md"), "first");
      expect(await readFile(path.join(second.root, "README.md"), "utf8")).toBe("# task\n");
      const env = first.env({ EXTRA: "1" });
      expect(env.HOME).toBe(first.homeDir);
      expect(env.TMPDIR).toBe(first.tmpDir);
      expect(env.EXTRA).toBe("1");
      expect((await stat(first.homeDir)).isDirectory()).toBe(true);
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
  });

  it("dispose deletes everything, even folders made unreadable, and is idempotent", async () => {
    const sandbox = await createSandbox({ sourceDir: source, parentDir });
    const container = path.dirname(sandbox.root);
    await mkdir(path.join(sandbox.root, "locked", "inner"), { recursive: true });
    await writeFile(path.join(sandbox.root, "locked", "inner", "f"), "x");
    await chmod(path.join(sandbox.root, "locked", "inner"), 0o000);
    await chmod(path.join(sandbox.root, "locked"), 0o500);
    await sandbox.dispose();
    await sandbox.dispose();
    await expect(stat(container)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(sandbox.resolvePath("README.md", "read")).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
  });

  it("refuses a missing source folder and a parent inside the source", async () => {
    await expect(createSandbox({ sourceDir: path.join(base, "nope"), parentDir })).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
    await expect(createSandbox({ sourceDir: source, parentDir: path.join(source, "inner") })).rejects.toSatisfy((error: unknown) => CladeError.is(error, "invalid-argument"));
    await expect(stat(path.join(source, "inner"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("create + dispose of a small task works repeatedly (timed by clade bench harness)", async () => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      const sandbox = await createSandbox({ sourceDir: source, parentDir });
      await sandbox.dispose();
      times.push(performance.now() - started);
    }
    console.log(`sandbox create+dispose ms: median ${median(times).toFixed(1)}, all ${times.map((t) => t.toFixed(1)).join(" ")}`);
    // The ≤ 50 ms goal is a speed target: `clade bench harness` reports it; here it only must work.
    expect(times.every((t) => Number.isFinite(t) && t > 0)).toBe(true);
  });
});
