// The engine protocol: every request, notification and progress message between the engine
// process and its clients (VS Code extension, CLI, tests). One source of truth: both sides
// import these descriptors, so a renamed method or changed payload is a type error everywhere.
import { NotificationType, ProgressType, RequestType } from "vscode-jsonrpc";
import type { ErrorData } from "./errors";
import type { AgentLimits } from "./agent";
import type { ChatParams, ChatResult, GpuChoice, HardwareInfo, ModelInfo, ModelSpec, TestModelOptions, TestModelResult, ToolCall, TrainerBackendInfo } from "./model";
import type { RunResult } from "./run";
import type { AskEvent, AskParams, AskResult, AskSummary } from "./ask";
import type { ActivationResult, ArchiveChanged, ArchiveTree, DiffParams, FileParams, NodeDetails, NodeDiffSummary, NodeParams, WorkspaceParams } from "./archive";
import type { SandboxInfo, SandboxMode } from "./sandbox";

/** Requests that can report progress carry a token; the engine sends ProgressValue on it. */
export interface WithProgress {
  progressToken?: string;
}

export interface ProgressValue {
  /** What is happening, e.g. "Downloading model", "Loading model". */
  title: string;
  /** A session with a queue: its evaluations waiting, running on workers, done, and why none runs. */
  queue?: QueueCounts;
  message?: string;
  /** 0..100 when known. */
  percentage?: number;
  done?: number;
  total?: number;
  unit?: string;
}
export const progressType = new ProgressType<ProgressValue>();

export interface PingResult {
  version: string;
  pid: number;
  node: string;
  platform: string;
  /** The engine process's memory (process.memoryUsage()), bytes. */
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
}

export interface LogEntry {
  level: "trace" | "debug" | "info" | "warn" | "error";
  source: "engine" | "llama";
  message: string;
}

export type ModelStateKind = "none" | "loading" | "ready" | "error";
export interface ModelState {
  state: ModelStateKind;
  info?: ModelInfo;
  error?: { message: string } & ErrorData;
}

export interface DownloadParams extends WithProgress {
  uri: string;
  cacheDir?: string;
}
export interface DownloadResult {
  file: string;
  sizeBytes: number;
  /** True if it was already complete on disk. */
  cached: boolean;
}

export interface RunTaskParams extends WithProgress {
  /** `builtin`, a Polyglot-format folder, `repo:PATH`, or `yaml` / a tasks.yaml path. */
  suite: string;
  taskId: string;
  /** The user's workspace: trajectories go to <workspace>/.clade/runs/. */
  workspace: string;
  /** Archive node to run; default the active version (the seed agent until one is accepted). */
  node?: string;
  /** Load this model first (unless it is the one loaded). */
  model?: ModelSpec;
  /** SCRIPTED provider: replay these replies instead of calling the model (deterministic tests). */
  scripted?: ({ toolCall: Omit<ToolCall, "id"> } | { text: string })[];
  limits?: Partial<AgentLimits>;
  isolation?: SandboxMode;
  /** Overrides the agent version's own sampling for every model call (e.g. temperature 0 for a reproducible run). */
  sampling?: SamplingOverride;
}

/** Sampling forced on every model call of a run or session, whatever the agent version asks for. */
export interface SamplingOverride {
  temperature?: number;
  seed?: number;
}

export interface EvolveParams extends WithProgress {
  workspace: string;
  suite: string;
  /** Only these tasks of the suite (ids); default: all of them. */
  taskIds?: string[];
  strategy: "dgm" | "hgm" | "greedy" | "random";
  budgetEvaluations: number;
  budgetTokens?: number;
  budgetWallMs?: number;
  budgetExpansions?: number;
  parallel: number;
  seed: number;
  model: ModelSpec;
  limits?: Partial<AgentLimits>;
  gateTasks?: number;
  /** Self-edits target the failure clusters the parent fails most instead of DGM's uniform pick (default false). */
  targetClusters?: boolean;
  isolation?: SandboxMode;
  /** Train a LoRA adapter version every K passed runs (needs parallel 1). */
  trainEvery?: number;
  /** Test command for `repo:` suites (default: `testCommand` in <workspace>/.clade/config.yaml). */
  testCommand?: string;
  /** False when the client's workspace is not trusted: the engine refuses to run anything. */
  trusted?: boolean;
  /** Overrides every model call's sampling (e.g. temperature 0), whatever the versions ask for. */
  sampling?: SamplingOverride;
  /** redis://HOST:PORT: evaluations run on `clade worker`s of that queue instead of in-process. */
  queue?: string;
  /** A queued evaluation not finished after this long is abandoned and re-queued (default: run timeout + 5 min). */
  queueJobTimeoutMs?: number;
  /** A queued evaluation no worker can take fails after this long, saying why (default 10 min). */
  queueNoWorkerMs?: number;
}

export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  /** Workers that can take the session's jobs (same Clade build and model). */
  workers: number;
  done: number;
  idle?: string;
}

export interface WorkParams extends WithProgress {
  /** redis://HOST:PORT */
  queue: string;
  model: ModelSpec;
  /** Jobs at once (one model sequence each). */
  concurrency: number;
  /** A killed worker's job moves to another worker after this (default 30 s). */
  lockMs?: number;
}

export interface TrainParams extends WithProgress {
  workspace: string;
  /** The base model the archive's versions run on (loaded unless it is the one loaded). */
  model: ModelSpec;
  /** Parent of the adapter version; default: the active version, else the one with the most passes. */
  from?: string;
  /** Train on every version's passed runs (default: the parent's clade: it and its descendants). */
  allRuns?: boolean;
  rank?: number;
  alpha?: number;
  epochs?: number;
  learningRate?: number;
  maxSteps?: number;
  contextSize?: number;
  seed?: number;
  threads?: number;
  /** Tasks to evaluate the new version on (default: as many as the parent was evaluated on; 0: none). */
  evalTasks?: number;
  limits?: Partial<AgentLimits>;
  isolation?: SandboxMode;
  /** Which examples (engine/train/recipes/recipes.ts RECIPES); default "sft". */
  recipe?: "sft" | "rise" | "splice" | "targeted" | "weighted" | "dpo";
  /** dpo: the implicit reward's temperature. */
  beta?: number;
}

export interface TrainResult {
  nodeId: string;
  parentId: string;
  adapterHash: string;
  adapterFile: string;
  /** The figures recorded in the node's origin (dataset hash, examples, steps, loss, tokens/s). */
  training: Record<string, unknown>;
  /** The backend the trainer was given and why (training.backend: the ggml device that trained). */
  trainer: TrainerBackendInfo;
  /** The new version's runs, and the parent's on the same tasks. */
  evaluation: { tasks: string[]; passed: number; evaluated: number; parentPassed: number; parentEvaluated: number } | null;
}

export interface EvolveResult {
  sessionId: string;
  resumed: boolean;
  stopReason: string;
  /** Why, in words, where the reason needs them (the budget cannot fit another expansion; jobs kept failing). */
  stopMessage?: string;
  /** With a queue: its last counts (waiting, active, done by the workers, compatible workers). */
  remote?: QueueCounts;
  evaluationsDone: number;
  /** Task runs of the validation gate; they count against `budget` with the evaluations. */
  gateRuns: number;
  budget: number;
  nodes: number;
  invalidNodes: number;
  finalPick: string | null;
  best: { nodeId: string; passed: number; evaluated: number } | null;
  tokens: number;
  elapsedMs: number;
}

export interface AskRefParams {
  workspace: string;
  askId: string;
}

export type AskApplyResult = { ok: true; written: string[]; deleted: string[] } | { ok: false; conflicts: { path: string; why: string }[] };

export interface AskSaveResult {
  taskId: string;
  tasksFile: string;
}

export interface TaskListEntry {
  id: string;
  title: string;
  tier?: string;
}

export const Requests = {
  ping: new RequestType<void, PingResult, ErrorData>("engine/ping"),
  /** Shuts the engine down cleanly (disposes the model) and exits. */
  shutdown: new RequestType<void, void, ErrorData>("engine/shutdown"),
  loadModel: new RequestType<ModelSpec & WithProgress, ModelInfo, ErrorData>("model/load"),
  unloadModel: new RequestType<void, void, ErrorData>("model/unload"),
  modelInfo: new RequestType<void, ModelInfo, ErrorData>("model/info"),
  chat: new RequestType<ChatParams & WithProgress, ChatResult, ErrorData>("model/chat"),
  /** Closes a chat session (frees its sequence). */
  endChatSession: new RequestType<{ sessionId: string }, void, ErrorData>("model/endSession"),
  /** What this machine offers llama.cpp for a GPU choice: cores, RAM, backend and why, GPU devices and VRAM. */
  hardware: new RequestType<{ gpu?: GpuChoice }, HardwareInfo, ErrorData>("system/hardware"),
  /** The confinement agent commands get for a mode (default auto) here, and why. */
  sandbox: new RequestType<{ mode?: SandboxMode }, SandboxInfo, ErrorData>("system/sandbox"),
  /** The backend the LoRA trainer uses for the model host's gpu / gpuLayers settings (default auto), and why. */
  trainerBackend: new RequestType<{ gpu?: GpuChoice; gpuLayers?: number }, TrainerBackendInfo, ErrorData>("system/trainer"),
  download: new RequestType<DownloadParams, DownloadResult, ErrorData>("model/download"),
  generateTestModel: new RequestType<TestModelOptions & WithProgress, TestModelResult, ErrorData>("model/generateTestModel"),
  /** One agent version on one task: sandbox, confined agent process, hidden-test scoring, trajectory. */
  runTask: new RequestType<RunTaskParams, RunResult, ErrorData>("agent/runTask"),
  /** Runs (or resumes) a self-improvement session in the workspace's archive. */
  evolve: new RequestType<EvolveParams, EvolveResult, ErrorData>("evolve/run"),
  /** Trains a LoRA adapter on the archive's passed runs, adds it as a version and evaluates it. */
  train: new RequestType<TrainParams, TrainResult, ErrorData>("train/adapter"),
  /** The workspace's archive: node summaries, active/best, sessions, usage (empty when there is none). */
  archiveTree: new RequestType<WorkspaceParams, ArchiveTree, ErrorData>("archive/tree"),
  /** One node: identity, diagnosis, cost, results per task (with test output), files. */
  nodeDetails: new RequestType<NodeParams, NodeDetails, ErrorData>("archive/node"),
  nodeDiff: new RequestType<DiffParams, NodeDiffSummary, ErrorData>("archive/diff"),
  /** One file of a node's scaffold as UTF-8 text. */
  nodeFile: new RequestType<FileParams, string, ErrorData>("archive/file"),
  /** A run's trajectory JSONL (a path the archive recorded for this node), as text. */
  trajectory: new RequestType<NodeParams & { runId: string }, string, ErrorData>("archive/trajectory"),
  accept: new RequestType<NodeParams, ActivationResult, ErrorData>("archive/accept"),
  revert: new RequestType<NodeParams, ActivationResult, ErrorData>("archive/revert"),
  undo: new RequestType<WorkspaceParams, ActivationResult, ErrorData>("archive/undo"),
  /** The agent works on a copy of the user's workspace; the change comes back for review (applied only when asked). */
  ask: new RequestType<AskParams, AskResult, ErrorData>("ask/run"),
  /** Writes a proposed ask's change into the workspace (all or nothing; conflicts are returned, nothing overwritten). */
  askApply: new RequestType<AskRefParams, AskApplyResult, ErrorData>("ask/apply"),
  askDiscard: new RequestType<AskRefParams, void, ErrorData>("ask/discard"),
  /** Records that a client applied a proposed ask itself (VS Code: one WorkspaceEdit). */
  askApplied: new RequestType<AskRefParams & { files: string[] }, void, ErrorData>("ask/applied"),
  /** The workspace's asks, oldest first, with their resolution. */
  askList: new RequestType<WorkspaceParams, AskSummary[], ErrorData>("ask/list"),
  /** An applied ask as a task of `.clade/tasks.yaml` (starting files, instruction, test command, the change as reference). */
  askSaveTask: new RequestType<AskRefParams & { taskId?: string }, AskSaveResult, ErrorData>("ask/saveTask"),
  /** Takes evaluation jobs from a queue until cancelled (`clade worker`). */
  work: new RequestType<WorkParams, { done: number; failed: number }, ErrorData>("queue/work"),
  /** The tasks of a suite (for pickers): id, title, tier. */
  listTasks: new RequestType<{ suite: string; workspace: string; testCommand?: string }, TaskListEntry[], ErrorData>("tasks/list"),
} as const;

export const Notifications = {
  log: new NotificationType<LogEntry>("engine/log"),
  modelState: new NotificationType<ModelState>("model/state"),
  /** One live step of a running ask (tool call, result, command, model call). */
  askEvent: new NotificationType<AskEvent>("ask/event"),
  /** The workspace's archive changed (a session wrote, or accept/revert/undo); clients re-fetch. */
  archiveChanged: new NotificationType<ArchiveChanged>("archive/changed"),
} as const;
