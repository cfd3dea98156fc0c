// Mines tasks from a repository's history. A commit (with one parent) that changes both source
// and test files is a candidate; it becomes a task only when, run with the user's test command,
//   parent's tree + the commit's test files  FAILS   and   the commit's tree  PASSES.
// When it changed several test files, each is tried alone on the parent: those that fail there
// are the hidden tests; the others go into the starting state at the commit's version.
import { cancelledError } from "../../protocol/errors";
import type { CommitInfo, FileChange } from "./gitTree";
import { changedFiles, isShallow, linkNodeModules, listCommits, writeBlob, writeCommitTree } from "./gitTree";
import type { Verdict } from "./miningCache";
import { openMiningCache } from "./miningCache";
import { parseTestCases } from "./parseTestOutput";
import { runPool } from "./pool";
import { runTestCommand } from "./runTestCommand";
import { makeScratchDir } from "./taskDirs";
import { isSourcePath, isTestPath } from "./testPaths";
import type { ProgressReport, ScoreResult } from "./types";

export interface MinedTask {
  commit: CommitInfo;
  parent: string;
  changes: FileChange[];
  hidden: string[];
  startTests: string[];
  failToPass: string[];
}

export interface MineOptions {
  testCommand: string;
  timeoutMs: number;
  maxCommits: number;
  maxTasks: number;
  concurrency: number;
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ProgressReport) => void;
}

interface Candidate {
  commit: CommitInfo;
  changes: FileChange[];
  tests: string[];
}

export interface MiningResult {
  tasks: MinedTask[];
  /** Candidate commits (code + tests changed) that did not become tasks, with why. */
  rejected: { commit: Candidate["commit"]; reason: string }[];
}

export async function mineRepo(repo: string, options: MineOptions): Promise<MiningResult> {
  const { candidates, skipped } = await findCandidates(repo, options.maxCommits);
  const cache = await openMiningCache(options.cacheDir, repo, options.testCommand);
  let found = 0;
  let done = 0;
  try {
    const verdicts = await runPool(candidates, { concurrency: options.concurrency, signal: options.signal, stop: () => found >= options.maxTasks, what: "Mining tasks" }, async (candidate) => {
      let verdict = cache.get(candidate.commit.sha);
      if (!verdict) {
        const fresh = await verifyCandidate(repo, candidate, options);
        verdict = fresh.verdict;
        if (fresh.cacheable) cache.set(candidate.commit.sha, verdict);
      }
      if (verdict.status === "task") found++;
      done++;
      options.onProgress?.({ done, total: candidates.length, item: `${candidate.commit.sha.slice(0, 8)} ${candidate.commit.subject}`, message: verdict.status === "task" ? "task" : verdict.reason });
      return verdict;
    });
    const tasks: MinedTask[] = [];
    const rejected: MiningResult["rejected"] = [...skipped];
    verdicts.forEach((verdict, i) => {
      const { commit, changes } = candidates[i];
      if (verdict?.status === "rejected") rejected.push({ commit, reason: verdict.reason });
      if (verdict?.status !== "task") return;
      tasks.push({ commit, parent: commit.parents[0], changes, hidden: verdict.hidden, startTests: verdict.startTests, failToPass: verdict.failToPass });
    });
    return { tasks: tasks.slice(0, options.maxTasks), rejected };
  } finally {
    await cache.save();
  }
}

async function findCandidates(repo: string, maxCommits: number): Promise<{ candidates: Candidate[]; skipped: MiningResult["rejected"] }> {
  const candidates: Candidate[] = [];
  const skipped: MiningResult["rejected"] = [];
  // In a shallow clone the oldest commits' parents are missing: say so instead of mining nothing.
  const shallow = await isShallow(repo);
  for (const commit of await listCommits(repo, maxCommits)) {
    if (commit.parents.length === 0 && shallow) {
      skipped.push({ commit, reason: "its parent is not in this shallow clone, so there is no \"before\" to test (run `git fetch --unshallow` to mine it)" });
      continue;
    }
    if (commit.parents.length !== 1) continue;
    const changes = await changedFiles(repo, commit.sha);
    const tests = changes.filter((c) => c.status !== "D" && isTestPath(c.path)).map((c) => c.path);
    if (tests.length > 0 && changes.some((c) => isSourcePath(c.path))) candidates.push({ commit, changes, tests });
  }
  return { candidates, skipped };
}

async function verifyCandidate(repo: string, candidate: Candidate, options: MineOptions): Promise<{ verdict: Verdict; cacheable: boolean }> {
  const { sha, parents } = candidate.commit;
  const parent = parents[0];
  const rejected = (reason: string, cacheable = true) => ({ verdict: { status: "rejected", reason } as Verdict, cacheable });
  const before = await runState(repo, parent, { sha, files: candidate.tests }, options);
  if (before.timedOut) return rejected("the tests timed out on the parent", false);
  if (before.passed) return rejected("the commit's tests already pass on its parent");
  // (A failure on the parent is what a task needs; one at the commit is the repository's problem, and its output says which.)
  const after = await runState(repo, sha, undefined, options);
  if (after.timedOut) return rejected("the tests timed out at the commit", false);
  if (!after.passed) return rejected(`the tests fail at the commit itself${whyFailed(after.output)}`);

  let hidden = candidate.tests;
  if (candidate.tests.length > 1) {
    const counted: string[] = [];
    for (const test of candidate.tests) {
      const alone = await runState(repo, parent, { sha, files: [test] }, options);
      if (!alone.passed) counted.push(test);
    }
    if (counted.length > 0) hidden = counted;
  }
  // Tests that pass at the commit but did not pass before it (failed, or their file did not load).
  const passedBefore = new Set(parseTestCases(before.output).passed);
  const failToPass = parseTestCases(after.output).passed.filter((name) => !passedBefore.has(name));
  return { verdict: { status: "task", hidden, startTests: candidate.tests.filter((t) => !hidden.includes(t)), failToPass }, cacheable: true };
}

/** Runs the test command on `tree` with `overlay.files` taken from `overlay.sha`. */
async function runState(repo: string, tree: string, overlay: { sha: string; files: string[] } | undefined, options: MineOptions): Promise<ScoreResult> {
  if (options.signal?.aborted) throw cancelledError("Mining tasks");
  const scratch = await makeScratchDir("mine");
  try {
    await writeCommitTree(repo, tree, scratch.path);
    if (overlay) for (const file of overlay.files) await writeBlob(repo, overlay.sha, file, scratch.path);
    await linkNodeModules(repo, scratch.path);
    const result = await runTestCommand(options, scratch.path, { signal: options.signal });
    if (result.cancelled) throw cancelledError("Mining tasks");
    return result;
  } finally {
    await scratch.dispose();
  }
}

/** Why a test run failed, for a rejection reason: the failing tests' names, else the end of the output. */
function whyFailed(output: string): string {
  const failed = parseTestCases(output).failed;
  if (failed.length) return ` (failing: ${failed.slice(0, 5).join(", ")}${failed.length > 5 ? ", …" : ""})`;
  const lines = output.split("\n").map((l) => l.trim()).filter(Boolean).slice(-2);
  return lines.length ? ` (its output ends: ${lines.join(" / ").slice(-240)})` : "";
}
