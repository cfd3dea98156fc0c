// An ask: the active (or a chosen) agent version works on a sandboxed copy of the user's workspace
// as it is now, with the same confinement as any run; the user's test command, when given, runs on
// the copy before and after; the change comes back as a unified diff with both versions of every
// changed file kept in `.clade/asks/<id>/`, and is written into the workspace only on Apply (all or
// nothing, never over an edit the user made meanwhile). Every ask is recorded in `.clade/asks.jsonl`
// as a run of its version: outcome, tests before/after, tokens, trajectory.
import { randomUUID } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import type { AskEvent, AskParams, AskResult, AskTests } from "../../protocol/ask";
import type { ProgressValue } from "../../protocol/engine";
import { CladeError, cancelledError } from "../../protocol/errors";
import type { AgentRuns } from "../agent/agentRuns";
import { runTask } from "../agent/runTask";
import { runTestCommand } from "../tasks/runTestCommand";
import { makeScratchDir } from "../tasks/taskDirs";
import type { Task } from "../tasks/types";
import { appendAskRecord, asksPaths, checkResolvable, findAsk, takeAskLock } from "./askLog";
import { applyChange, diffWorkspace, type WorkspaceChange } from "./workspaceChange";
import { sha256, snapshotWorkspace } from "./workspaceSnapshot";

/** How long the user's test command may run, before and after. */
export const ASK_TEST_TIMEOUT_MS = 5 * 60_000;

export interface AskControl {
  signal?: AbortSignal;
  onProgress?: (progress: ProgressValue) => void;
  onEvent?: (event: AskEvent) => void;
}

export async function ask(runs: AgentRuns, params: AskParams, control: AskControl = {}): Promise<AskResult> {
  const workspace = path.resolve(params.workspace);
  const instruction = params.instruction?.trim() ?? "";
  if (!instruction) throw new CladeError("invalid-argument", "The ask has no instruction.", 'Say what the agent should do, e.g. clade ask "make the default port 8080".');
  if (!existsSync(workspace) || !(await fs.stat(workspace)).isDirectory()) throw new CladeError("invalid-argument", `The workspace ${workspace} is not a folder.`, "Pass --workspace with the folder of your project.");
  const lock = takeAskLock(workspace);
  const started = Date.now();
  const askId = `a${new Date().toISOString().replace(/\D/g, "").slice(2, 14)}-${randomUUID().slice(0, 4)}`;
  const report = (message: string, percentage?: number) => control.onProgress?.({ title: "Asking the agent", message, percentage });
  const snapshot = await makeScratchDir("ask-snapshot");
  try {
    report("copying the workspace");
    const snap = await snapshotWorkspace(workspace, snapshot.path);
    const files = (params.files ?? []).map((f) => path.relative(workspace, path.resolve(workspace, f)).split(path.sep).join("/")).filter((f) => f && !f.startsWith(".."));
    const testCommand = params.testCommand?.trim() || null;
    const allowCommands = params.allowCommands ?? [...new Set(["node", ...(testCommand ? [testCommand.split(/\s+/)[0]!] : [])])];
    const task = askTask(askId, instruction, files, testCommand, allowCommands, snapshot.path, snap.files.map((f) => f.sha256));

    report("building the agent version");
    const prepared = await runs.prepare({ ...params, workspace }, control);
    const dir = asksPaths(workspace).askDir(askId);
    await fs.mkdir(dir, { recursive: true });
    let change: WorkspaceChange = { files: [], patch: "" };
    // Set by the scorer below (a closure: TypeScript cannot see the assignment).
    const after: { tests: AskTests | null } = { tests: null };
    let firstToolCallMs: number | null = null;
    report("agent at work");
    const run = await runTask({
      task, versionId: prepared.versionId, bundle: prepared.bundle, provider: prepared.provider,
      runsDir: path.join(workspace, ".clade", "runs"), limits: prepared.limits, isolation: params.isolation, signal: control.signal,
      warm: false, agentTestCommand: testCommand ?? undefined,
      // "Passed" for an ask: the user's test command passes on the workspace with the change.
      score: async (_root, signal) => {
        if (!testCommand) return null;
        after.tests = change.files.length ? await withChange(snapshot.path, dir, change, (copy) => tests(testCommand, copy, signal)) : await tests(testCommand, snapshot.path, signal);
        return { ...after.tests, cancelled: false };
      },
      // The real workspace is out of the agent's sight (bwrap): it works on the copy only.
      hiddenPaths: [workspace],
      onRecord: (record) => {
        if (record.type === "tool-call") {
          firstToolCallMs ??= Date.now() - started;
          report(`turn ${String(record.turn)}: ${String(record.name)}`);
        }
        control.onEvent?.({ askId, atMs: Date.now() - started, record });
      },
      onAgentDone: async (root) => {
        change = await diffWorkspace(snapshot.path, root, dir);
      },
    });
    if (control.signal?.aborted) throw cancelledError("The ask");
    const testsAfter = after.tests;

    let testsBefore: AskTests | null = null;
    if (testCommand) {
      report("running your test command on the workspace as it was");
      testsBefore = await tests(testCommand, snapshot.path, control.signal);
    }
    const failed = run.stopReason === "model-error" || run.stopReason === "harness-error" || run.stopReason === "build-failed";
    const outcome = change.files.length ? "proposed" : failed ? "failed" : "no-change";
    await fs.writeFile(path.join(dir, "change.patch"), change.patch);
    await fs.writeFile(path.join(dir, "change.json"), `${JSON.stringify(change.files, null, 2)}\n`);
    await appendAskRecord(workspace, {
      type: "ask", askId, versionId: prepared.versionId, instruction, testCommand, files, head: snap.head, dirty: snap.dirty, outcome,
      runId: run.runId, stopReason: run.stopReason, turns: run.turns, tokens: run.usage, wallMs: Date.now() - started, modelMs: run.modelMs,
      testsBefore: testsBefore?.passed ?? null, testsAfter: testsAfter?.passed ?? null, changedFiles: change.files.length, trajectory: run.trajectory,
    });
    const result: AskResult = {
      askId, versionId: prepared.versionId, workspace, instruction, testCommand, outcome, resolution: null,
      run,
      testsBefore, testsAfter, changes: change.files.map(({ path: p, kind, binary, added, removed }) => ({ path: p, kind, binary, added, removed })),
      patch: change.patch, dir, firstToolCallMs,
    };
    await fs.writeFile(path.join(dir, "result.json"), `${JSON.stringify({ ...result, patch: undefined }, null, 2)}\n`);
    if (params.apply && outcome === "proposed") {
      if (testsAfter && !testsAfter.passed) return { ...result, notApplied: "your test command fails on the changed copy" };
      const applied = await applyAsk(workspace, askId, { locked: true });
      return applied.ok ? { ...result, resolution: "applied" } : { ...result, notApplied: "files changed since the ask started", conflicts: applied.conflicts };
    }
    return result;
  } finally {
    lock.release();
    await snapshot.dispose();
  }
}

/** Writes a proposed ask's change into the workspace (all or nothing) and records it as applied. */
export async function applyAsk(workspace: string, askId: string, options: { locked?: boolean } = {}): Promise<{ ok: true; written: string[]; deleted: string[] } | { ok: false; conflicts: { path: string; why: string }[] }> {
  const lock = options.locked ? null : takeAskLock(workspace);
  try {
    const summary = await findAsk(workspace, askId);
    checkResolvable(summary, "applied");
    const dir = asksPaths(workspace).askDir(askId);
    const change = await readChange(dir);
    const result = await applyChange(path.resolve(workspace), dir, change);
    if (result.ok) await appendAskRecord(workspace, { type: "ask-resolved", askId, resolution: "applied", files: change.files.map((f) => f.path) });
    return result;
  } finally {
    lock?.release();
  }
}

/** A client applied the change itself (VS Code's WorkspaceEdit): only the record is written. */
export async function recordApplied(workspace: string, askId: string, files: string[]): Promise<void> {
  const summary = await findAsk(workspace, askId);
  checkResolvable(summary, "applied");
  await appendAskRecord(workspace, { type: "ask-resolved", askId, resolution: "applied", files });
}

export async function discardAsk(workspace: string, askId: string): Promise<void> {
  const summary = await findAsk(workspace, askId);
  checkResolvable(summary, "discarded");
  await appendAskRecord(workspace, { type: "ask-resolved", askId, resolution: "discarded" });
}

export async function readChange(dir: string): Promise<WorkspaceChange> {
  try {
    return { files: JSON.parse(await fs.readFile(path.join(dir, "change.json"), "utf8")), patch: await fs.readFile(path.join(dir, "change.patch"), "utf8") };
  } catch (error) {
    throw new CladeError("invalid-argument", `The ask's change in ${dir} cannot be read: ${(error as Error).message}.`, "The ask folder was removed or damaged; ask again.");
  }
}

/** The ask as a task the runner understands: the snapshot as starting files, no hidden tests. */
function askTask(askId: string, instruction: string, files: string[], testCommand: string | null, allowCommands: string[], snapshotDir: string, hashes: string[]): Task {
  const lines = [instruction];
  if (files.length) lines.push("", `The user is looking at: ${files.join(", ")}.`);
  if (testCommand) lines.push("", `When you are done, \`${testCommand}\` must pass.`);
  return {
    id: `ask-${askId}`, suite: "ask", title: instruction.split("\n")[0]!.slice(0, 80), instructions: lines.join("\n"), language: "unknown",
    testCommand: testCommand ?? "true", timeoutMs: ASK_TEST_TIMEOUT_MS, allowCommands, hiddenTestPaths: [], hasReference: false,
    files: {
      writeStart: (dir) => fs.cp(snapshotDir, dir, { recursive: true, force: true }),
      writeHiddenTests: async () => undefined,
      contentHash: async () => sha256(JSON.stringify([instruction, files, testCommand, allowCommands, hashes])),
    },
  };
}

async function tests(command: string, dir: string, signal?: AbortSignal): Promise<AskTests> {
  const r = await runTestCommand({ testCommand: command, timeoutMs: ASK_TEST_TIMEOUT_MS }, dir, { signal });
  if (r.cancelled) throw cancelledError("The ask's test command");
  return { passed: r.passed, exitCode: r.exitCode, timedOut: r.timedOut, durationMs: r.durationMs, output: r.output.slice(-8000), testsPassed: r.testsPassed, testsFailed: r.testsFailed };
}

/** Runs `fn` on a scratch copy of the snapshot with the change written over it. */
async function withChange<T>(snapshotDir: string, askDir: string, change: WorkspaceChange, fn: (copy: string) => Promise<T>): Promise<T> {
  const copy = await makeScratchDir("ask-after");
  try {
    await fs.cp(snapshotDir, copy.path, { recursive: true, force: true });
    const applied = await applyChange(copy.path, askDir, change);
    if (!applied.ok) throw new CladeError("internal", "The ask's change does not apply to its own snapshot.", "This is a bug in Clade; the ask folder has the change.");
    return await fn(copy.path);
  } finally {
    await copy.dispose();
  }
}
