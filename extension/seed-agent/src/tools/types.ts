// What every tool is: a definition the model sees, and a handler that does the work.
import type { AgentHost, AgentTask, ToolDefinition } from "../host";

export interface ToolContext {
  task: AgentTask;
  host: AgentHost;
}

export interface ToolOutput {
  ok: boolean;
  output: string;
  /** Set by finish: the run ends after this tool. */
  finished?: boolean;
}

export interface Tool {
  definition: ToolDefinition;
  run(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutput>;
}

/** Reads a string argument; throws a message the model can act on. */
export function stringArg(args: Record<string, unknown>, name: string, optional = false): string {
  const value = args[name];
  if (value === undefined && optional) return "";
  if (typeof value !== "string") throw new Error(`Argument "${name}" must be a string.`);
  return value;
}

/**
 * Reads a whole-number argument. A JSON grammar lets a model write 3e-8 or 4e44 for an integer
 * (JSON.parse makes the latter Infinity): such a number still means "that line", so it is
 * truncated and clamped rather than refused.
 */
export function numberArg(args: Record<string, unknown>, name: string): number | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value)) throw new Error(`Argument "${name}" must be a number.`);
  return Math.trunc(Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, value)));
}
