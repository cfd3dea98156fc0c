// Repositories in odd states for repo: mining: no commits, detached HEAD, dirty tree, shallow
// clone, submodules, a huge binary file, non-UTF-8 file names, not a repository, no folder.
// Mining may find tasks or none; it must answer, not crash.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { openSuite } from "../../extension/engine/tasks/openSuite";
import type { SuiteReport } from "./suiteReport";

type ExpectHandled = (report: SuiteReport, name: string, run: () => Promise<unknown>, accept?: (value: unknown) => string | null) => Promise<void>;

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "protocol.file.allow=always", ...args], { cwd, stdio: "pipe" }).toString();

/** A small repo whose second commit fixes a bug and adds the test that shows it: one minable task. */
function baseRepo(work: string, name: string, extra?: (dir: string) => void): string {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, type: "module", scripts: { test: "node --test" } }));
  mkdirSync(path.join(dir, "src"));
  writeFileSync(path.join(dir, "src", "add.mjs"), "export const add = (a, b) => a - b;\n");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "add");
  writeFileSync(path.join(dir, "src", "add.mjs"), "export const add = (a, b) => a + b;\n");
  mkdirSync(path.join(dir, "test"));
  writeFileSync(path.join(dir, "test", "add.test.mjs"), "import test from 'node:test'; import assert from 'node:assert'; import { add } from '../src/add.mjs'; test('add', () => assert.equal(add(2, 3), 5));\n");
  extra?.(dir);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "fix add");
  return dir;
}

export async function repoCases(report: SuiteReport, work: string, workspace: string, expectHandled: ExpectHandled): Promise<void> {
  const repos: [string, () => string][] = [
    ["repo: no commits", () => {
      const dir = mkdtempSync(path.join(work, "empty-"));
      git(dir, "init", "-q");
      return dir;
    }],
    ["repo: detached HEAD", () => {
      const dir = baseRepo(work, "detached");
      git(dir, "checkout", "-q", "--detach", "HEAD");
      return dir;
    }],
    ["repo: dirty working tree", () => {
      const dir = baseRepo(work, "dirty");
      writeFileSync(path.join(dir, "src", "add.mjs"), "uncommitted change\n");
      return dir;
    }],
    ["repo: shallow clone (depth 1)", () => {
      const source = baseRepo(work, "shallow-src");
      const dir = path.join(work, `shallow-${Date.now()}`);
      execFileSync("git", ["clone", "-q", "--depth", "1", `file://${source}`, dir], { stdio: "pipe" });
      return dir;
    }],
    ["repo: with a submodule", () => {
      const sub = baseRepo(work, "sub");
      return baseRepo(work, "with-sub", (dir) => git(dir, "submodule", "add", "-q", sub, "vendor/sub"));
    }],
    ["repo: a huge binary file (20 MB)", () => baseRepo(work, "huge", (dir) => writeFileSync(path.join(dir, "data.bin"), randomBytes(20 * 1024 * 1024)))],
    ["repo: non-UTF-8 file names", () => baseRepo(work, "latin1", (dir) => writeFileSync(Buffer.concat([Buffer.from(path.join(dir, "src") + "/caf"), Buffer.from([0xe9]), Buffer.from(".mjs")]), "export const x = 1;\n"))],
    ["repo: a folder that is not a repository", () => mkdtempSync(path.join(work, "plain-"))],
    ["repo: a path that does not exist", () => path.join(work, "no-such-repo")],
  ];
  for (const [name, make] of repos) {
    await expectHandled(report, name, async () => {
      const suite = openSuite(`repo:${make()}`, { workspace, testCommand: "node --test", maxCommits: 10, concurrency: 1 });
      try {
        const tasks = (await suite.list()).length;
        return { tasks, notTasks: suite.skipped?.().map((s) => `${s.item.slice(0, 8)}: ${s.reason}`) ?? [] };
      } finally {
        suite.dispose();
      }
    }, (value) => {
      // An odd repo state may well hold tasks; where it holds none, the user must be told why.
      const v = value as { tasks?: number; notTasks?: string[] };
      if (typeof v.tasks !== "number") return "no answer";
      return v.tasks > 0 || (v.notTasks?.length ?? 0) > 0 ? null : "0 tasks and no reason given";
    });
  }
}
