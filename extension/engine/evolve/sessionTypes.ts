// What a self-improvement session is given and what it reports while it runs.
import type { AgentLimits } from "../../protocol/agent";
import type { Archive } from "../archive/archive";
import type { LlmProvider } from "../agent/llmProvider";
import type { RemoteRunner, RemoteStatus } from "../queue/remoteEvaluations";
import type { StrategyName } from "../search/types";
import type { StrategyOptions } from "../search/createStrategy";
import type { SandboxMode } from "../../protocol/sandbox";

export interface SessionOptions {
  workspace: string;
  /** `builtin`, a Polyglot folder, `repo:PATH`, `yaml`. */
  suite: string;
  /** Only these tasks of the suite (ids, each must exist); default: all of them. */
  taskIds?: readonly string[];
  strategy: StrategyName;
  /**
   * B: task runs the session may spend (counted across resumes): evaluations and the validation
   * gate's runs alike; never exceeded (an expansion starts only when its gate and one evaluation fit).
   */
  budgetEvaluations: number;
  /** Optional further budgets; the session stops at the first one reached. */
  budgetTokens?: number;
  budgetWallMs?: number;
  /**
   * Expansions (self-edits) the session may start, across resumes. Failed expansions spend no task
   * evaluation, so without this cap a parent whose edits always fail would be expanded forever.
   * Default: max(10, budgetEvaluations).
   */
  budgetExpansions?: number;
  /** Evaluations go to a queue's workers instead of this process (`clade evolve --queue`). */
  remote?: RemoteRunner;
  /** Jobs (expansions or evaluations) running at once on the shared model. */
  parallel: number;
  seed: number;
  provider: LlmProvider;
  /** Identity of the model weights (sha256 of the GGUF, or "scripted"). */
  modelHash: string;
  /** Agent limits for every run (turns, tokens, time): evaluations and the gate's runs. */
  limits?: Partial<AgentLimits>;
  /** Limits for the self-edit runs (default: the same). */
  selfEditLimits?: Partial<AgentLimits>;
  strategyOptions?: StrategyOptions;
  /**
   * Gate tasks (validate.ts, chooseGateTasks): a new version must pass at least as many of them as
   * its parent. Default 3; 0 skips that stage (the gate record then says that no gate task ran).
   */
  gateTasks?: number;
  /** How task commands are confined (default "process"). */
  isolation?: SandboxMode;
  /** Diagnosis prompt budget in characters (smaller for small-context models). */
  diagnosisPromptChars?: number;
  /**
   * Self-edits target the failure clusters the parent fails most (a failed run is picked with
   * probability ∝ its cluster's failure rate; recipes/failureSignature.ts) instead of DGM's uniform
   * pick among failed runs. Default false (DGM exactly).
   */
  targetClusters?: boolean;
  signal?: AbortSignal;
  /** Test command for `repo:` suites. */
  testCommand?: string;
  /** The workspace's archive, opened writable by the caller (which disposes it); default: opened here. */
  archive?: Archive;
  /**
   * Attaches a version's LoRA adapter (null: none) to the model before the version's runs. Needed to
   * evaluate adapter versions; switching recreates the model's context.
   */
  useAdapter?(adapterFile: string | null): Promise<void>;
  /**
   * Train a LoRA adapter every K passed runs: after K new passed runs, an adapter is trained on the
   * passed runs of the current best version's clade and added as its child (then searched like any
   * version). Needs `trainAdapter`; sessions with parallel > 1 are refused (an adapter switch would
   * abort the other jobs' requests).
   */
  trainEvery?: number;
  /** Trains an adapter child of `parentId` and returns its node id (see train/trainAdapterNode.ts). */
  trainAdapter?(archive: Archive, parentId: string, signal: AbortSignal): Promise<string>;
  onProgress?(progress: SessionProgress): void;
  /** Called once an evaluation's result is durable in the archive (fsync'd). */
  onEvaluation?(record: { nodeId: string; taskId: string; runId: string; passed: boolean }): void;
}

export interface SessionProgress {
  sessionId: string;
  resumed: boolean;
  /** Task evaluations finished (across resumes). */
  evaluationsDone: number;
  /** Task runs of the validation gate (across resumes); with evaluationsDone, what the budget has spent. */
  gateRuns: number;
  /** B: evaluationsDone + gateRuns may reach it. */
  budget: number;
  nodes: number;
  invalidNodes: number;
  /** Self-modifications started (across resumes): each costs model time even when it makes no version. */
  expansions: number;
  running: { kind: "expand" | "evaluate"; nodeId: string }[];
  best: { nodeId: string; passed: number; evaluated: number } | null;
  tokens: number;
  elapsedMs: number;
  message?: string;
  /** With a queue: jobs waiting, running on the workers, done, and the workers that can take them. */
  remote?: RemoteStatus;
}

export interface SessionSummary extends SessionProgress {
  stopReason: "budget" | "token-budget" | "time-budget" | "expansion-budget" | "cancelled" | "nothing-to-do" | "failing";
  finalPick: string | null;
}
