// Runs a task's test command in a directory through the sandbox's runCommand (own process group,
// wall-clock timeout, output cap, scrubbed environment).
import { runCommand } from "../agent/sandbox/runCommand";
import type { Sandbox } from "../agent/sandbox/sandbox";
import { scrubEnv } from "../agent/sandbox/scrubEnv";
import { parseTestCounts } from "./parseTestOutput";
import type { ScoreResult } from "./types";
import type { SandboxMode } from "../../protocol/sandbox";

export interface TestRunSpec {
  testCommand: string;
  timeoutMs: number;
}

export interface TestRunOptions {
  signal?: AbortSignal;
  maxOutputBytes?: number;
  /** Confinement of the command (default process); confined, it gets a private HOME and TMPDIR. */
  isolation?: SandboxMode;
  network?: boolean;
  /** Run in this sandbox (its confinement, HOME/TMPDIR and hidden paths; `dir` must be inside it). */
  sandbox?: Pick<Sandbox, "run" | "env">;
}

export const defaultMaxOutputBytes = 64 * 1024;

/**
 * Environment for test commands: the sandbox's allow-list (no secrets, no NODE_OPTIONS or
 * NODE_TEST_CONTEXT from a parent test runner), plus CI=1 so runners are not interactive.
 */
const TEST_ENV_EXTRA = { CI: "1", NO_COLOR: "1" };

export function testEnv(): Record<string, string> {
  return scrubEnv(process.env, TEST_ENV_EXTRA);
}

export async function runTestCommand(spec: TestRunSpec, dir: string, options: TestRunOptions = {}): Promise<ScoreResult> {
  const confined = options.isolation !== undefined && options.isolation !== "process";
  const common = { command: spec.testCommand, timeoutMs: spec.timeoutMs, maxOutputBytes: options.maxOutputBytes ?? defaultMaxOutputBytes, signal: options.signal };
  const result = options.sandbox ? await options.sandbox.run({ ...common, cwd: dir, env: options.sandbox.env(TEST_ENV_EXTRA) }) : await runCommand({
    cwd: dir,
    command: spec.testCommand,
    timeoutMs: spec.timeoutMs,
    maxOutputBytes: options.maxOutputBytes ?? defaultMaxOutputBytes,
    // Confined, the command gets runCommand's private HOME/TMPDIR (the host's are not inside).
    ...(confined ? { envExtra: TEST_ENV_EXTRA, isolation: options.isolation, network: options.network } : { env: testEnv() }),
    signal: options.signal,
  });
  const counts = parseTestCounts(result.output);
  return {
    passed: result.exitCode === 0 && !result.timedOut && !result.cancelled,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    output: result.output,
    durationMs: result.durationMs,
    ...(counts ? { testsPassed: counts.passed, testsFailed: counts.failed } : {}),
  };
}
