// The engine protocol: every request, notification and progress message between the engine
// process and its clients (VS Code extension, CLI, tests). One source of truth: both sides
// import these descriptors, so a renamed method or changed payload is a type error everywhere.
import { NotificationType, ProgressType, RequestType } from "vscode-jsonrpc";
import type { ErrorData } from "./errors";
import type { AgentLimits } from "./agent";
import type { ChatParams, ChatResult, ModelInfo, ModelSpec, TestModelOptions, TestModelResult, ToolCall } from "./model";
import type { RunResult } from "./run";

/** Requests that can report progress carry a token; the engine sends ProgressValue on it. */
export interface WithProgress {
  progressToken?: string;
}

export interface ProgressValue {
  /** What is happening, e.g. "Downloading model", "Loading model". */
  title: string;
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
  isolation?: "process" | "bwrap";
}

export interface EvolveParams extends WithProgress {
  workspace: string;
  suite: string;
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
  isolation?: "process" | "bwrap";
}

export interface EvolveResult {
  sessionId: string;
  resumed: boolean;
  stopReason: string;
  evaluationsDone: number;
  budget: number;
  nodes: number;
  invalidNodes: number;
  finalPick: string | null;
  best: { nodeId: string; passed: number; evaluated: number } | null;
  tokens: number;
  elapsedMs: number;
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
  download: new RequestType<DownloadParams, DownloadResult, ErrorData>("model/download"),
  generateTestModel: new RequestType<TestModelOptions & WithProgress, TestModelResult, ErrorData>("model/generateTestModel"),
  /** One agent version on one task: sandbox, confined agent process, hidden-test scoring, trajectory. */
  runTask: new RequestType<RunTaskParams, RunResult, ErrorData>("agent/runTask"),
  /** Runs (or resumes) a self-improvement session in the workspace's archive. */
  evolve: new RequestType<EvolveParams, EvolveResult, ErrorData>("evolve/run"),
} as const;

export const Notifications = {
  log: new NotificationType<LogEntry>("engine/log"),
  modelState: new NotificationType<ModelState>("model/state"),
} as const;
