// Runs one built agent version in its own confined process and serves its IPC: model calls go to
// the LLM provider (one shared model for all runs), commands to the sandbox. Limits on turns,
// tokens and wall clock are enforced here, outside the agent's reach.
import { fork, type ChildProcess } from "node:child_process";
import type { AgentEvent, AgentLimits, AgentOutcome, AgentTask, EngineToHarness, ExecResult, HarnessToEngine } from "../../protocol/agent";
import type { ChatParams, ChatResult, TokenUsage } from "../../protocol/model";
import type { LlmProvider } from "./llmProvider";
import { permissionArgs } from "./nodePermissions";
import { parseHarnessMessage } from "./harnessMessages";

/** V8 heap limit of an agent process (MiB). */
export const AGENT_HEAP_MB = 1024;

export interface AgentProcessOptions {
  harness: string;
  bundle: string;
  task: AgentTask;
  limits: AgentLimits;
  provider: LlmProvider;
  /** Runs a command in the sandbox; the caller decides what is allowed. */
  exec(command: string, timeoutMs: number, signal: AbortSignal): Promise<ExecResult>;
  /** The scrubbed environment for the agent process. */
  env: Record<string, string>;
  sessionId: string;
  signal?: AbortSignal;
  onLlm?(record: { params: ChatParams; result?: ChatResult; error?: string; ms: number }): void;
  onEvent?(event: AgentEvent): void;
  onExec?(record: { command: string; result: ExecResult }): void;
  /** An agent process started ahead for this harness, bundle, workspace and env (see startAgentProcess). */
  started?: StartedAgentProcess;
}

/**
 * A confined agent process, started and waiting for its task (the harness loads no version code
 * until it gets "start"). Starting one ahead of its run takes Node's start-up (~70-100 ms here) off
 * the run's critical path (see warmAgentProcesses.ts).
 */
export interface StartedAgentProcess {
  readonly child: ChildProcess;
  readonly harness: string;
  readonly bundle: string;
  readonly workspace: string;
  /** Whether it has said "ready" (messages before a run attaches are kept here). */
  ready: boolean;
  /** It exited or failed before a run took it. */
  dead: boolean;
  stderr: string;
  kill(): void;
  /** Stops keeping messages for later: the run that takes the process listens itself from now on. */
  takeOver(): void;
}

export async function startAgentProcess(options: { harness: string; bundle: string; workspace: string; env: Record<string, string> }): Promise<StartedAgentProcess> {
  const child = fork(options.harness, [options.bundle], {
    cwd: options.workspace,
    env: options.env,
    // A heap cap: a version that hoards memory dies alone instead of swapping the machine.
    execArgv: [...(await permissionArgs({ read: [options.harness, options.bundle, options.workspace], write: [options.workspace] })), `--max-old-space-size=${AGENT_HEAP_MB}`],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    detached: true, // own process group, so a kill takes everything with it
    serialization: "json",
  });
  const onEarly = (raw: unknown) => {
    if ((raw as { kind?: unknown } | null)?.kind === "ready") started.ready = true;
  };
  const started: StartedAgentProcess = {
    child, harness: options.harness, bundle: options.bundle, workspace: options.workspace, ready: false, dead: false, stderr: "",
    kill: () => killGroup(child.pid),
    takeOver: () => child.off("message", onEarly),
  };
  child.stderr?.on("data", (chunk) => (started.stderr = (started.stderr + chunk).slice(-4000)));
  child.stdout?.on("data", () => undefined);
  child.on("message", onEarly);
  child.once("exit", () => (started.dead = true));
  child.once("error", () => (started.dead = true));
  return started;
}

export interface AgentProcessResult {
  outcome: AgentOutcome;
  usage: TokenUsage;
  llmCalls: number;
  modelMs: number;
  /** Set when the process failed rather than the agent stopping. */
  failure?: string;
}

export async function runAgentProcess(options: AgentProcessOptions): Promise<AgentProcessResult> {
  const { task, limits } = options;
  const usage: TokenUsage = { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 };
  const state = { llmCalls: 0, modelMs: 0, turns: 0, outcome: undefined as AgentOutcome | undefined, failure: undefined as string | undefined, stopReason: undefined as AgentOutcome["stopReason"] | undefined };
  const inner = new AbortController();
  const onOuterAbort = () => stop("cancelled");
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  const reusable = options.started && !options.started.dead && options.started.harness === options.harness && options.started.bundle === options.bundle && options.started.workspace === task.workspace;
  if (options.started && !reusable) options.started.kill();
  const proc = reusable ? options.started! : await startAgentProcess({ harness: options.harness, bundle: options.bundle, workspace: task.workspace, env: options.env });
  proc.takeOver();
  const child = proc.child;
  const send = (message: EngineToHarness) => child.connected && child.send(message);

  function stop(reason: AgentOutcome["stopReason"]): void {
    state.stopReason ??= reason;
    inner.abort();
    send({ kind: "cancel" });
    setTimeout(() => killGroup(child.pid), 200).unref();
  }
  const timer = setTimeout(() => stop("timeout"), limits.timeoutMs);

  const serveLlm = async (id: number, params: ChatParams) => {
    state.llmCalls += 1;
    if (state.llmCalls > limits.maxTurns + 2) return send({ kind: "error", id, reason: "turn-limit", message: "Turn limit reached." });
    if (usage.promptTokens - usage.cachedPromptTokens + usage.completionTokens >= limits.maxTokens) return send({ kind: "error", id, reason: "token-limit", message: "Token limit reached." });
    const started = Date.now();
    try {
      const result = await options.provider.chat({ ...params, sessionId: options.sessionId }, { signal: inner.signal });
      usage.promptTokens += result.usage.promptTokens;
      usage.cachedPromptTokens += result.usage.cachedPromptTokens;
      usage.completionTokens += result.usage.completionTokens;
      state.modelMs += Date.now() - started;
      options.onLlm?.({ params, result, ms: Date.now() - started });
      send({ kind: "llm-result", id, result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      state.modelMs += Date.now() - started;
      options.onLlm?.({ params, error: message, ms: Date.now() - started });
      send({ kind: "error", id, reason: (error as { reason?: string }).reason ?? "model-error", message });
    }
  };
  // Commands in flight: stopped and waited for when the agent ends (one it never awaited must not
  // run on while its work is scored).
  const execs = new Set<Promise<void>>();
  const serveExec = (id: number, command: string, timeoutMs: number | undefined) => {
    const running = (async () => {
      const result = await options.exec(command, Math.min(timeoutMs ?? limits.commandTimeoutMs, limits.commandTimeoutMs), inner.signal);
      options.onExec?.({ command, result });
      send({ kind: "exec-result", id, result });
    })().catch((error: unknown) => {
      send({ kind: "error", id, reason: "exec-error", message: error instanceof Error ? error.message : String(error) });
    });
    execs.add(running);
    void running.finally(() => execs.delete(running));
  };

  const finished = new Promise<void>((resolve) => {
    if (proc.ready) send({ kind: "start", task, limits });
    if (proc.dead || child.exitCode !== null || child.signalCode !== null) {
      state.failure = "The agent process had exited before its run.";
      return resolve();
    }
    child.on("message", (raw) => {
      const message: HarnessToEngine | undefined = parseHarnessMessage(raw);
      if (!message) return stop("agent-error");
      switch (message.kind) {
        case "ready": return send({ kind: "start", task, limits });
        case "llm": return void serveLlm(message.id, message.params);
        case "exec": return serveExec(message.id, message.command, message.timeoutMs);
        case "event": return options.onEvent?.(message.event);
        case "done": state.outcome = message.outcome; return killGroup(child.pid);
        case "failed": state.failure = message.stack ?? message.message; return killGroup(child.pid);
      }
    });
    child.on("exit", () => resolve());
    child.on("error", (error) => {
      state.failure = error.message;
      resolve();
    });
  });
  await finished;
  clearTimeout(timer);
  killGroup(child.pid); // whatever the agent left behind in its group
  if (execs.size > 0) {
    inner.abort();
    await Promise.all(execs);
  }
  options.signal?.removeEventListener("abort", onOuterAbort);
  options.provider.endSession?.(options.sessionId);

  const stderr = proc.stderr;
  const failure = state.outcome || state.stopReason ? state.failure : state.failure ?? `The agent process exited without finishing.${stderr ? ` stderr: ${stderr.trim()}` : ""}`;
  const outcome: AgentOutcome = state.stopReason
    ? { stopReason: state.stopReason, turns: state.outcome?.turns ?? state.llmCalls }
    : state.outcome ?? { stopReason: "agent-error", turns: state.llmCalls };
  return { outcome, usage, llmCalls: state.llmCalls, modelMs: state.modelMs, failure };
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
