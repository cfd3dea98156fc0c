// The contract with the harness that runs this agent. The harness calls runAgent(task, host); the
// agent may only reach the model, commands and the trajectory through `host`.
// Keep these shapes as they are: the harness checks them, and a change here breaks every run.

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

export interface ChatParams {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: "auto" | "required" | "none";
  maxTokens?: number;
  temperature?: number;
  seed?: number;
}

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  stopReason: string;
  usage: { promptTokens: number; cachedPromptTokens: number; completionTokens: number };
}

export interface ExecResult {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  truncated: boolean;
  durationMs: number;
}

export type AgentEvent =
  | { type: "tool-call"; turn: number; name: string; arguments: unknown }
  | { type: "tool-result"; turn: number; name: string; ok: boolean; output: string; truncatedFrom?: number }
  | { type: "note"; turn: number; text: string }
  | { type: "attempt"; turn: number; attempt: number; feedback: string };

export interface AgentTask {
  id: string;
  instructions: string;
  workspace: string;
  testCommand?: string;
  allowCommands: boolean;
}

export interface AgentLimits {
  maxTurns: number;
  maxTokens: number;
  timeoutMs: number;
  commandTimeoutMs: number;
  contextTokens: number;
}

export interface AgentHost {
  llm(params: ChatParams): Promise<ChatResult>;
  exec(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  record(event: AgentEvent): void;
  readonly limits: AgentLimits;
  readonly signal: AbortSignal;
}

export type AgentStopReason = "finished" | "turn-limit" | "token-limit" | "timeout" | "cancelled" | "model-error" | "agent-error";

export interface AgentOutcome {
  stopReason: AgentStopReason;
  summary?: string;
  turns: number;
}
