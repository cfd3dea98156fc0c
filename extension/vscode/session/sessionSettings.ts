// The `clade.session.*`, `clade.agent.*`, `clade.tests.*` and `clade.sandbox.*` settings as the
// parameters of a session (EvolveParams without the model), validated. Pure (no `vscode` import):
// sessionService.ts reads the configuration and passes it here.
import type { AgentLimits } from "../../protocol/agent";
import type { EvolveParams } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import { SANDBOX_MODES, type SandboxMode } from "../../protocol/sandbox";

export const STRATEGIES = ["hgm", "dgm", "greedy", "random"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface RawSessionSettings {
  suite?: unknown;
  strategy?: unknown;
  budgetEvaluations?: unknown;
  budgetTokens?: unknown;
  budgetMinutes?: unknown;
  budgetExpansions?: unknown;
  parallel?: unknown;
  seed?: unknown;
  gateTasks?: unknown;
  maxTurns?: unknown;
  maxTokens?: unknown;
  timeoutSeconds?: unknown;
  commandTimeoutSeconds?: unknown;
  testCommand?: unknown;
  sandbox?: unknown;
  queue?: unknown;
}

/** What the quick picks chose (each overrides its setting). */
export interface SessionChoices {
  suite?: string;
  strategy?: Strategy;
  budgetEvaluations?: number;
  /** Wall-clock budget in minutes (0: none). */
  budgetMinutes?: number;
  parallel?: number;
}

/**
 * What the wizard's budget question says: what the budget bounds, and an estimate from this
 * archive's own figures when it has any (wall time per task run so far), else that it is unknown.
 */
export function budgetPrompt(usage: { evaluations: number; wallMs: number } | undefined): string {
  const bounds = "Task runs to spend: each version's evaluations and the gate's runs of new versions (counted across resumes); never exceeded: a new version is only attempted while its gate (up to 2 runs per gate task) and one evaluation fit.";
  if (!usage || usage.evaluations === 0) return `${bounds} No runs yet in this archive to estimate the time from: a first session of 20 takes minutes with a small model, longer with a 7B one on CPU.`;
  const perRun = usage.wallMs / usage.evaluations / 1000;
  return `${bounds} Here so far: ≈ ${perRun < 10 ? perRun.toFixed(1) : Math.round(perRun)} s per run, so 20 runs ≈ ${Math.max(1, Math.round((20 * perRun) / 60))} min.`;
}

export type SessionParams = Omit<EvolveParams, "model" | "progressToken">;

const int = (value: unknown, name: string, min: number, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new CladeError("invalid-settings", `The setting ${name} must be a whole number ${range}, not ${JSON.stringify(value)}.`, `Open Settings and fix ${name}.`, { setting: name });
  }
  return value;
};

/** A positive value, or undefined for 0 (the setting's "no limit"). */
const optional = (value: unknown, name: string): number | undefined => {
  const n = int(value, name, 0, 0);
  return n === 0 ? undefined : n;
};

export function sessionParams(raw: RawSessionSettings, choices: SessionChoices, workspace: string, trusted: boolean): SessionParams {
  const strategy = choices.strategy ?? raw.strategy ?? "hgm";
  if (!STRATEGIES.includes(strategy as Strategy)) {
    throw new CladeError("invalid-settings", `The setting clade.session.strategy must be one of ${STRATEGIES.join(", ")}, not ${JSON.stringify(strategy)}.`, "Open Settings and pick a strategy.", { setting: "clade.session.strategy" });
  }
  const suite = choices.suite ?? (typeof raw.suite === "string" && raw.suite.trim() ? raw.suite.trim() : "builtin");
  const sandbox = (raw.sandbox ?? "auto") as SandboxMode;
  if (!SANDBOX_MODES.includes(sandbox)) {
    throw new CladeError("invalid-settings", `The setting clade.sandbox.mode must be one of ${SANDBOX_MODES.join(", ")}, not ${JSON.stringify(sandbox)}.`, "Open Settings and fix clade.sandbox.mode (auto: the strongest confinement this machine offers).", { setting: "clade.sandbox.mode" });
  }
  const limits: Partial<AgentLimits> = {};
  const maxTurns = optional(raw.maxTurns, "clade.agent.maxTurns");
  const maxTokens = optional(raw.maxTokens, "clade.agent.maxTokens");
  const timeout = optional(raw.timeoutSeconds, "clade.agent.timeoutSeconds");
  const commandTimeout = optional(raw.commandTimeoutSeconds, "clade.agent.commandTimeoutSeconds");
  if (maxTurns) limits.maxTurns = maxTurns;
  if (maxTokens) limits.maxTokens = maxTokens;
  if (timeout) limits.timeoutMs = timeout * 1000;
  if (commandTimeout) limits.commandTimeoutMs = commandTimeout * 1000;
  const minutes = choices.budgetMinutes ?? optional(raw.budgetMinutes, "clade.session.budgetMinutes");
  const gate = int(raw.gateTasks, "clade.session.gateTasks", -1, -1);
  const testCommand = typeof raw.testCommand === "string" && raw.testCommand.trim() ? raw.testCommand.trim() : undefined;
  const queue = typeof raw.queue === "string" && raw.queue.trim() ? raw.queue.trim() : undefined;
  if (queue && !/^redis:\/\/[^\s/]+/.test(queue)) {
    throw new CladeError("invalid-settings", `Setting \`clade.session.queue\`: "${queue}" is not a redis:// URL.`, "Set it to redis://HOST:PORT (a queue `clade worker`s take evaluations from), or leave it empty to evaluate in VS Code's engine.");
  }
  return {
    workspace, suite, strategy: strategy as Strategy,
    budgetEvaluations: choices.budgetEvaluations ?? int(raw.budgetEvaluations, "clade.session.budgetEvaluations", 1, 20),
    budgetTokens: optional(raw.budgetTokens, "clade.session.budgetTokens"),
    budgetWallMs: minutes ? minutes * 60_000 : undefined,
    budgetExpansions: optional(raw.budgetExpansions, "clade.session.budgetExpansions"),
    parallel: choices.parallel ?? int(raw.parallel, "clade.session.parallel", 1, 1, 64),
    seed: int(raw.seed, "clade.session.seed", 0, 0),
    gateTasks: gate < 0 ? undefined : gate,
    limits: Object.keys(limits).length ? limits : undefined,
    isolation: sandbox, testCommand, trusted,
    ...(queue ? { queue } : {}),
  };
}

/** Refuses before anything is sent: an untrusted workspace runs no agents and no tests. */
export function requireTrusted(trusted: boolean, what: string): void {
  if (!trusted) {
    throw new CladeError("untrusted-workspace", `${what} is not available in an untrusted workspace: it runs model-written code and test commands.`, "Trust the workspace (Manage Workspace Trust) if you trust its code, then try again.");
  }
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  return h ? `${h}h ${m % 60}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}
