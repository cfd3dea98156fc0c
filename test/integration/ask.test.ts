// `clade ask` on a user's repository, end to end through the real CLI, engine process, sandbox, git
// and test command, with a SCRIPTED provider (deterministic replies; the real-model ask is in
// agentModel.test.ts): the working tree is untouched without --apply, the diff and tests
// before/after are reported, apply is all-or-nothing and refuses to overwrite the user's edits,
// a second ask in the same workspace is refused, and an applied ask becomes a valid task.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AskResult, AskSummary } from "../../extension/protocol/ask";
import { parseJson, runCli } from "../helpers/cli";

const root = mkdtempSync(path.join(os.tmpdir(), "clade-ask-"));
const repo = path.join(root, "repo");

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } });
}

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  writeFileSync(path.join(repo, rel), text);
}

function scripted(name: string, replies: unknown[]): string {
  const file = path.join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(replies));
  return file;
}

const portScript = () =>
  scripted("port", [
    { toolCall: { name: "read_file", arguments: { path: "src/config.mjs" } } },
    { toolCall: { name: "edit_file", arguments: { path: "src/config.mjs", search: "port = 3000", replace: "port = 8080" } } },
    { toolCall: { name: "run_tests", arguments: {} } },
    { toolCall: { name: "finish", arguments: { summary: "The default port is 8080." } } },
  ]);

describe("clade ask (scripted provider)", () => {
  beforeAll(() => {
    mkdirSync(repo, { recursive: true });
    git("init", "-q");
    write(".gitignore", "build/\n");
    write("package.json", '{ "type": "module" }\n');
    write("src/config.mjs", "export const port = 3000;\nexport const host = \"localhost\";\n");
    write("test/config.test.mjs", 'import test from "node:test";\nimport assert from "node:assert/strict";\nimport { port } from "../src/config.mjs";\n\ntest("port", () => assert.equal(port, 8080));\n');
    git("add", ".");
    git("commit", "-qm", "start");
    // What the ask must see (an uncommitted new file) and must not (ignored build output).
    write("NOTES.md", "uncommitted notes\n");
    write("build/out.txt", "generated\n");
  });

  let first: AskResult;

  it("proposes a change without touching the working tree, with its diff and tests before/after", async () => {
    const result = await runCli(["ask", "Make the default port 8080.", "--workspace", repo, "--test-command", "node --test", "--scripted", portScript(), "--json"]);
    expect(result.code, result.stderr).toBe(0);
    first = parseJson<AskResult>(result);
    expect(first.outcome).toBe("proposed");
    expect(first.resolution).toBeNull();
    expect(first.changes).toEqual([{ path: "src/config.mjs", kind: "modified", binary: false, added: 1, removed: 1 }]);
    expect(first.patch).toContain("diff --git a/src/config.mjs b/src/config.mjs");
    expect(first.patch).toMatch(/^-export const port = 3000;$/m);
    expect(first.patch).toMatch(/^\+export const port = 8080;$/m);
    expect(first.testsBefore?.passed).toBe(false);
    expect(first.testsAfter?.passed).toBe(true);
    expect(first.firstToolCallMs).toBeGreaterThan(0);
    // The working tree is as it was.
    expect(readFileSync(path.join(repo, "src/config.mjs"), "utf8")).toContain("3000");
    expect(git("status", "--porcelain", "--", ".", ":!.clade")).toBe("?? NOTES.md\n");
    // The agent saw the uncommitted file and not the ignored one (the task prompt lists the files).
    const trajectory = readFileSync(first.run.trajectory, "utf8");
    expect(trajectory).toContain("NOTES.md");
    expect(trajectory).not.toContain("build/out.txt");
    // The run record says passed: the user's test command passes with the change (what training reads).
    const end = JSON.parse(trajectory.trim().split("\n").at(-1)!) as { type: string; result: { passed: boolean; test: { exitCode: number } } };
    expect(end).toMatchObject({ type: "end", result: { passed: true, test: { exitCode: 0 } } });
    // The patch applies with git itself.
    writeFileSync(path.join(root, "first.patch"), first.patch);
    execFileSync("git", ["apply", "--check", path.join(root, "first.patch")], { cwd: repo });
  });

  it("lists the ask, refuses to overwrite an edit made meanwhile, then applies it", async () => {
    const list = parseJson<AskSummary[]>(await runCli(["asks", "list", "--workspace", repo, "--json"]));
    expect(list.map((a) => [a.askId, a.outcome, a.resolution])).toEqual([[first.askId, "proposed", null]]);

    write("src/config.mjs", "export const port = 3001;\nexport const host = \"localhost\";\n");
    const refused = await runCli(["asks", "apply", first.askId, "--workspace", repo, "--json"]);
    expect(refused.code).toBe(1);
    expect(parseJson<{ ok: boolean; conflicts: { path: string; why: string }[] }>(refused)).toEqual({ ok: false, conflicts: [{ path: "src/config.mjs", why: "you changed it after the ask started" }] });
    expect(readFileSync(path.join(repo, "src/config.mjs"), "utf8")).toContain("3001");

    git("checkout", "--", "src/config.mjs");
    const applied = await runCli(["asks", "apply", first.askId, "--workspace", repo, "--json"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(parseJson(applied)).toEqual({ ok: true, written: ["src/config.mjs"], deleted: [] });
    expect(readFileSync(path.join(repo, "src/config.mjs"), "utf8")).toContain("port = 8080");
    const again = await runCli(["asks", "apply", first.askId, "--workspace", repo, "--json"]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/already applied/);
  });

  it("saves the applied ask as a task that `clade tasks check` validates", async () => {
    const saved = await runCli(["asks", "save-task", first.askId, "--workspace", repo, "--id", "port-8080", "--json"]);
    expect(saved.code, saved.stdout + saved.stderr).toBe(0);
    expect(parseJson<{ taskId: string }>(saved).taskId).toBe("port-8080");
    const check = await runCli(["tasks", "check", "--suite", "yaml", "--workspace", repo, "--json"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const results = parseJson<{ tasks: { id: string; valid: boolean; problems: string[] }[] }>(check).tasks;
    expect(results).toEqual([expect.objectContaining({ id: "port-8080", valid: true })]);
    const list = parseJson<AskSummary[]>(await runCli(["asks", "list", "--workspace", repo, "--json"]));
    expect(list[0]).toMatchObject({ resolution: "applied", savedAs: "port-8080", testsAfter: true });
  });

  it("--apply writes the change when the tests pass; a failed test command keeps it proposed", async () => {
    const hostScript = scripted("host", [
      { toolCall: { name: "edit_file", arguments: { path: "src/config.mjs", search: '"localhost"', replace: '"0.0.0.0"' } } },
      { toolCall: { name: "finish", arguments: { summary: "Listening on all interfaces." } } },
    ]);
    const failing = parseJson<AskResult>(await runCli(["ask", "Listen on all interfaces.", "--workspace", repo, "--test-command", "node -e process.exit(3)", "--scripted", hostScript, "--apply", "--json"]));
    expect(failing.outcome).toBe("proposed");
    expect(failing.resolution).toBeNull();
    expect(failing.notApplied).toMatch(/test command fails/);
    expect(readFileSync(path.join(repo, "src/config.mjs"), "utf8")).toContain('"localhost"');

    const passing = await runCli(["ask", "Listen on all interfaces.", "--workspace", repo, "--test-command", "node --test", "--scripted", hostScript, "--apply"]);
    expect(passing.code, passing.stderr).toBe(0);
    expect(passing.stdout).toMatch(/Applied to /);
    expect(passing.stderr).toMatch(/edit_file/); // the run's steps stream as they happen
    expect(readFileSync(path.join(repo, "src/config.mjs"), "utf8")).toContain('"0.0.0.0"');
  });

  it("refuses a second ask while one runs in the same workspace, and names the fix", async () => {
    // A real first ask, kept busy by a slow test command.
    const slow = runCli(["ask", "Anything slow.", "--workspace", repo, "--test-command", "sleep 4", "--scripted", scripted("slow", [{ toolCall: { name: "finish", arguments: { summary: "nothing" } } }]), "--json"]);
    const lock = path.join(repo, ".clade", "ask.lock");
    for (let i = 0; i < 100 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(lock)).toBe(true);
    const second = await runCli(["ask", "Anything else.", "--workspace", repo, "--scripted", portScript(), "--json"]);
    expect(second.code).toBe(1);
    expect(parseJson<{ error: { reason: string; message: string } }>(second).error).toMatchObject({ reason: "archive-locked", message: expect.stringMatching(/An ask is already running/) });
    const first = await slow;
    expect(first.code, first.stderr).toBe(0);
    expect(parseJson<AskResult>(first).outcome).toBe("no-change");
    expect(existsSync(lock)).toBe(false);
    // A live process holds the workspace's ask lock (this test's own pid).
    writeFileSync(path.join(repo, ".clade", "ask.lock"), `${process.pid}\n`);
    try {
      const result = await runCli(["ask", "Anything.", "--workspace", repo, "--scripted", portScript(), "--json"]);
      expect(result.code).toBe(1);
      const { error } = parseJson<{ error: { reason: string; message: string; fix: string } }>(result);
      expect(error.reason).toBe("archive-locked");
      expect(error.message).toMatch(/already running/);
      expect(error.fix).toMatch(/one ask runs at a time/);
    } finally {
      execFileSync("rm", ["-f", path.join(repo, ".clade", "ask.lock")]);
    }
    // A lock left by a process that is gone is taken over.
    writeFileSync(path.join(repo, ".clade", "ask.lock"), "999999\n");
    const stale = await runCli(["ask", "Nothing to do.", "--workspace", repo, "--scripted", scripted("noop", [{ toolCall: { name: "finish", arguments: { summary: "nothing" } } }]), "--json"]);
    expect(stale.code, stale.stderr).toBe(0);
    expect(parseJson<AskResult>(stale).outcome).toBe("no-change");
    expect(existsSync(path.join(repo, ".clade", "ask.lock"))).toBe(false);
  });

  it("bad input: no instruction, a missing workspace", async () => {
    const empty = await runCli(["ask", "  ", "--workspace", repo, "--scripted", portScript(), "--json"]);
    expect(empty.code).toBe(1);
    expect(parseJson<{ error: { message: string } }>(empty).error.message).toMatch(/no instruction/);
    const missing = await runCli(["ask", "x", "--workspace", path.join(root, "nope"), "--scripted", portScript(), "--json"]);
    expect(missing.code).toBe(1);
    expect(parseJson<{ error: { message: string } }>(missing).error.message).toMatch(/not a folder/);
  });
});
