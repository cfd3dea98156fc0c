// The one interface every task source (built-in suite, Exercism/Aider-Polyglot folders, mined repo
// history, a user's tasks.yaml) sits behind. A task is data plus a TaskFiles object that knows how
// to write its starting files, its hidden tests and its reference solution into a directory.
import type { SandboxMode } from "../../protocol/sandbox";
import type { Sandbox } from "../agent/sandbox/sandbox";

export type TaskTier = "T0" | "T1" | "T2";

export type SuiteKind = "builtin" | "polyglot" | "repo" | "yaml";

/** Writes a task's files. Every path a TaskFiles writes stays inside the directory it is given. */
export interface TaskFiles {
  /** The starting state the agent works on. `dir` should be empty (or not exist). */
  writeStart(dir: string): Promise<void>;
  /**
   * The hidden tests, written over whatever is in `dir` (the agent's version of those paths is
   * replaced). Call this only at scoring time: hidden tests must never be in the agent's directory.
   */
  writeHiddenTests(dir: string): Promise<void>;
  /** The reference solution, applied over a starting state. Absent when no reference is known. */
  writeReference?(dir: string): Promise<void>;
  /** Stable hash of everything the task's outcome depends on (files, tests, reference, command). */
  contentHash(): Promise<string>;
}

export interface Task {
  /** Unique within its suite. */
  readonly id: string;
  /** The suite id (`builtin`, `polyglot:<folder>`, `repo:<path>`, `yaml:<file>`). */
  readonly suite: string;
  readonly tier?: TaskTier;
  readonly title: string;
  /** What the agent is told to do (markdown). */
  readonly instructions: string;
  /** `javascript`, `typescript`, `python`, … (what the starting files are written in). */
  readonly language: string;
  /** Shell command run in the task directory at scoring time; exit code 0 = pass. */
  readonly testCommand: string;
  /** Wall-clock limit for one run of the test command. */
  readonly timeoutMs: number;
  /** The suite opted in to network access for its commands (tasks.yaml `network: true`); default off. */
  readonly network?: boolean;
  /** Command prefixes the agent may run while it works (e.g. `node`). */
  readonly allowCommands: readonly string[];
  /** Paths (relative to the task directory) that the hidden tests occupy at scoring time. */
  readonly hiddenTestPaths: readonly string[];
  readonly hasReference: boolean;
  /** Source-specific facts (e.g. the mined commit); JSON-safe. */
  readonly meta?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly files: TaskFiles;
}

/** A task without its file writers: what crosses process boundaries and goes into `--json`. */
export interface TaskSummary {
  id: string;
  suite: string;
  tier?: TaskTier;
  title: string;
  language: string;
  testCommand: string;
  timeoutMs: number;
  hasReference: boolean;
  hiddenTestPaths: string[];
  instructions: string;
  meta?: Record<string, string | number | boolean | readonly string[]>;
}

export interface TaskSuite {
  readonly id: string;
  readonly kind: SuiteKind;
  /** Human-readable origin (folder, repo path, file). */
  readonly description: string;
  list(): Promise<Task[]>;
  get(id: string): Promise<Task | undefined>;
  /** Stable hash of the task ids and contents; goes into the archive so scores compare. */
  hash(): Promise<string>;
  /** What was looked at and did not become a task, with why (repo suites: rejected commits); after list(). */
  skipped?(): SkippedItem[];
  dispose(): void;
}

export interface SkippedItem {
  /** e.g. a commit: "<sha8> <subject>". */
  item: string;
  reason: string;
}

export interface ProgressReport {
  done: number;
  total: number;
  /** The task (or commit) just finished or being looked at. */
  item?: string;
  message?: string;
}

export interface OpenSuiteOptions {
  /** The user's workspace: `yaml` means <workspace>/.clade/tasks.yaml; config is read from here. */
  workspace?: string;
  /** Test command for repo suites (and a default for tasks that name none). */
  testCommand?: string;
  /** Repo mining: how many commits (newest first) to look at; default 200. */
  maxCommits?: number;
  /** Repo mining: stop after this many verified tasks; default 50. */
  maxTasks?: number;
  /** Repo mining: where verification results are cached; default <workspace>/.clade/cache. */
  cacheDir?: string;
  /** Parallel test runs (mining, checking); default 2. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ProgressReport) => void;
}

export interface ScoreOptions {
  signal?: AbortSignal;
  /**
   * Score in `dir` itself. Default: copy `dir` to a scratch directory, install the hidden tests
   * there and run, so the agent's directory never holds the hidden tests.
   */
  inPlace?: boolean;
  /** Output cap for the test command; default 64 KiB. */
  maxOutputBytes?: number;
  /** How the test command (which runs the agent's code) is confined; default process. */
  isolation?: SandboxMode;
  /** Confined modes: keep the network (a suite's `network: true`). */
  network?: boolean;
  /**
   * Run the test command in this sandbox (its confinement, its HOME and TMPDIR, its hidden paths)
   * instead of a one-off scratch folder: an agent run scores in place in the sandbox it worked in.
   */
  sandbox?: Pick<Sandbox, "run" | "env">;
}

export interface ScoreResult {
  passed: boolean;
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  output: string;
  durationMs: number;
  testsPassed?: number;
  testsFailed?: number;
}

export interface CheckResult {
  id: string;
  valid: boolean;
  /** Starting files + reference + hidden tests pass. */
  referencePasses: boolean;
  /** Starting files + hidden tests fail (so the task asks for a real change). */
  startFails: boolean;
  /** Why the task is not valid (empty when valid). */
  problems: string[];
  durationMs: number;
}

export interface SuiteCheck {
  suite: string;
  hash: string;
  tasks: CheckResult[];
  valid: number;
  invalid: number;
}
