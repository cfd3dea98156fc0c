// The options every command that runs an agent shares (`clade run`, `clade ask`): a scripted replay,
// the run's limits, the sandbox and the sampling override, and what they become in the request.
import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { RunTaskParams } from "../../../protocol/engine";
import { floatOption, intOption } from "../parse";
import { SANDBOX_MODES, type SandboxMode } from "../../../protocol/sandbox";

export interface AgentRunCliOptions {
  scripted?: RunTaskParams["scripted"];
  maxTurns?: number;
  maxTokens?: number;
  timeout?: number;
  sandbox?: SandboxMode;
  temperature?: number;
  seed?: number;
}

/** --scripted FILE: a JSON array of scripted replies. */
export function readScripted(file: string): RunTaskParams["scripted"] {
  try {
    const replies = JSON.parse(readFileSync(file, "utf8"));
    if (!Array.isArray(replies)) throw new Error("not a JSON array");
    return replies;
  } catch (error) {
    throw new InvalidArgumentError(`--scripted must name a JSON file holding an array of replies ({"toolCall":{"name","arguments"}} or {"text"}): ${(error as Error).message}`);
  }
}

export function addAgentRunOptions(command: Command): Command {
  return command
    .option("--scripted <file>", "replay a SCRIPTED list of model replies instead of a model (deterministic)", readScripted)
    .option("--max-turns <n>", "turn limit", intOption("--max-turns", 1, 1000))
    .option("--max-tokens <n>", "token limit for the run", intOption("--max-tokens", 100, 10_000_000))
    .option("--timeout <seconds>", "wall-clock limit", intOption("--timeout", 1, 86_400))
    .addOption(new Option("--sandbox <mode>", "how agent commands and tests are confined: auto (the strongest here: bwrap, else unshare, else sandbox-exec on macOS, else process with a warning), bwrap, unshare, sandbox-exec, process").choices([...SANDBOX_MODES]).default("auto"))
    .option("--temperature <t>", "sample every model call at this temperature (0: greedy, reproducible), whatever the version's settings say", floatOption("--temperature", 0, 2))
    .option("--seed <n>", "sampling seed for every model call", intOption("--seed", 0, 2 ** 31 - 1));
}

export function agentRunParams(opts: AgentRunCliOptions): Pick<RunTaskParams, "scripted" | "isolation" | "sampling" | "limits"> {
  return {
    scripted: opts.scripted,
    isolation: opts.sandbox,
    ...(opts.temperature !== undefined || opts.seed !== undefined ? { sampling: { temperature: opts.temperature, seed: opts.seed } } : {}),
    limits: { ...(opts.maxTurns ? { maxTurns: opts.maxTurns } : {}), ...(opts.maxTokens ? { maxTokens: opts.maxTokens } : {}), ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}) },
  };
}

/** Says on stderr, before anything runs, when agent code will run unconfined (the process fallback). */
export async function warnIfUnconfined(mode: SandboxMode | undefined): Promise<void> {
  const { resolveIsolation } = await import("../../agent/sandbox/isolation");
  const resolved = await resolveIsolation(mode ?? "auto").catch(() => undefined);
  if (resolved?.warning) process.stderr.write(`clade: warning: sandbox ${resolved.mode} (${resolved.reason}). ${resolved.warning}\n`);
}
