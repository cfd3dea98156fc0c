// repo:PATH — tasks mined from a git repository's history (see repoMining.ts). Needs the user's
// test command: options.testCommand, or `testCommand:` in <repo>/.clade/config.yaml or
// <workspace>/.clade/config.yaml.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { CladeError } from "../../protocol/errors";
import { configTestCommand } from "./configTestCommand";
import { openGit } from "./gitTree";
import { makeSuite } from "./makeSuite";
import type { MinedTask } from "./repoMining";
import { mineRepo } from "./repoMining";
import { repoTaskFiles } from "./repoTaskFiles";
import { guessLanguage, isSourcePath } from "./testPaths";
import type { OpenSuiteOptions, SkippedItem, Task, TaskSuite } from "./types";

const defaultTimeoutMs = 120_000;

export function openRepoSuite(repoPath: string, options: OpenSuiteOptions = {}): TaskSuite {
  const repo = path.resolve(repoPath);
  const id = `repo:${repo}`;
  const skipped: SkippedItem[] = [];
  return makeSuite({ id, kind: "repo", description: `tasks mined from the history of ${repo}`, load: () => loadRepoTasks(repo, id, options, skipped), skipped: () => [...skipped] });
}

export async function resolveRepoTestCommand(repo: string, options: OpenSuiteOptions): Promise<string> {
  const command = options.testCommand ?? (await configTestCommand(repo)) ?? (options.workspace ? await configTestCommand(options.workspace) : undefined);
  if (!command) {
    throw new CladeError(
      "test-command-missing",
      `Mining tasks from ${repo} needs the command that runs its tests, and none is set.`,
      `Pass it (e.g. \`clade tasks list --suite repo:${repo} --test-command "npm test"\`), or add \`testCommand: npm test\` to ${path.join(repo, ".clade", "config.yaml")}.`,
    );
  }
  return command;
}

async function loadRepoTasks(repo: string, suite: string, options: OpenSuiteOptions, skipped: SkippedItem[]): Promise<Task[]> {
  if (!existsSync(repo) || !(await openGit(repo).checkIsRepo())) {
    throw new CladeError("invalid-argument", `${repo} is not a git repository.`, "Pass repo:PATH with the folder of a git repository (one that has commits changing both code and tests).");
  }
  // A repository without commits has no history to mine (git's own error would say "unknown revision HEAD").
  if (!(await openGit(repo).raw(["rev-parse", "--verify", "--quiet", "HEAD"]).then((out) => out.trim(), () => ""))) {
    throw new CladeError("invalid-argument", `${repo} has no commits, so there is no history to mine tasks from.`, "Commit your code and tests first (tasks come from commits that change both), or choose another suite.");
  }
  const testCommand = await resolveRepoTestCommand(repo, options);
  const mined = await mineRepo(repo, {
    testCommand,
    timeoutMs: defaultTimeoutMs,
    maxCommits: options.maxCommits ?? 200,
    maxTasks: options.maxTasks ?? 50,
    concurrency: options.concurrency ?? 2,
    cacheDir: options.cacheDir ?? (options.workspace ? path.join(options.workspace, ".clade", "cache") : undefined),
    signal: options.signal,
    onProgress: options.onProgress,
  });
  skipped.splice(0, skipped.length, ...mined.rejected.map((r) => ({ item: `${r.commit.sha.slice(0, 8)} ${r.commit.subject}`, reason: r.reason })));
  return mined.tasks.map((m) => toTask(repo, suite, m, testCommand));
}

function toTask(repo: string, suite: string, mined: MinedTask, testCommand: string): Task {
  const { commit } = mined;
  return {
    id: `${commit.sha.slice(0, 8)}-${slug(commit.subject)}`,
    suite,
    title: commit.subject,
    instructions: instructionsFor(mined, testCommand),
    language: guessLanguage(mined.changes.filter((c) => isSourcePath(c.path)).map((c) => c.path)),
    testCommand,
    timeoutMs: defaultTimeoutMs,
    allowCommands: [testCommand.split(/\s+/)[0]],
    hiddenTestPaths: mined.hidden,
    hasReference: true,
    meta: { repo, commit: commit.sha, parent: mined.parent, failToPass: mined.failToPass },
    files: repoTaskFiles(repo, mined, testCommand),
  };
}

function instructionsFor(mined: MinedTask, testCommand: string): string {
  const parts = [mined.commit.subject];
  if (mined.commit.body) parts.push(mined.commit.body);
  parts.push(`Make this change in the repository. Hidden tests (${mined.hidden.map((h) => `\`${h}\``).join(", ")}) check it with \`${testCommand}\`.`);
  if (mined.failToPass.length > 0) parts.push(`These tests must pass:\n${mined.failToPass.map((name) => `- ${name}`).join("\n")}`);
  return parts.join("\n\n");
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "") || "change";
}
