// Hidden tests are written into the folder the agent worked in (runTask scores in place): whatever
// the agent left there — a symlinked folder, a file where a folder goes, a symlink at the file's
// path — must not make the write land outside that folder.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeEntries } from "../../extension/engine/tasks/fileEntries";

const made: string[] = [];
const temp = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `clade-${name}-`));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const hidden = [{ path: "test/deep/calc.test.mjs", text: "HIDDEN" }];

describe("writing hidden tests where an agent worked", () => {
  it("replaces a symlinked folder on the way instead of writing through it", async () => {
    const work = temp("work");
    const outside = temp("outside");
    symlinkSync(outside, path.join(work, "test"));
    await writeEntries(hidden, work);
    expect(existsSync(path.join(outside, "deep"))).toBe(false);
    expect(lstatSync(path.join(work, "test")).isDirectory()).toBe(true);
    expect(readFileSync(path.join(work, "test/deep/calc.test.mjs"), "utf8")).toBe("HIDDEN");
  });

  it("replaces a deeper symlinked folder, a file where a folder goes, and a symlink at the file itself", async () => {
    const work = temp("work");
    const outside = temp("outside");
    mkdirSync(path.join(work, "test"));
    symlinkSync(outside, path.join(work, "test", "deep"));
    await writeEntries(hidden, work);
    expect(existsSync(path.join(outside, "calc.test.mjs"))).toBe(false);

    const work2 = temp("work");
    writeFileSync(path.join(work2, "test"), "a file");
    await writeEntries(hidden, work2);
    expect(readFileSync(path.join(work2, "test/deep/calc.test.mjs"), "utf8")).toBe("HIDDEN");

    const work3 = temp("work");
    const target = path.join(outside, "victim.txt");
    writeFileSync(target, "keep");
    mkdirSync(path.join(work3, "test/deep"), { recursive: true });
    symlinkSync(target, path.join(work3, "test/deep/calc.test.mjs"));
    await writeEntries(hidden, work3);
    expect(readFileSync(target, "utf8")).toBe("keep");
    expect(lstatSync(path.join(work3, "test/deep/calc.test.mjs")).isFile()).toBe(true);
  });
});
