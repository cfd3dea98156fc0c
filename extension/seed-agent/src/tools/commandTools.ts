// Tools that run things through the harness (the agent process itself cannot start processes):
// run_tests, run_command (only when the task allows it), and finish.
import { stringArg, type Tool, type ToolContext } from "./types";

function formatExec(result: { exitCode: number | null; timedOut: boolean; output: string; truncated: boolean }): string {
  const status = result.timedOut ? "timed out" : `exit code ${result.exitCode}`;
  return `${status}${result.truncated ? " (output truncated)" : ""}\n${result.output}`;
}

export const runTests: Tool = {
  definition: { name: "run_tests", description: "Run the project's tests and show the result.", parameters: { type: "object", properties: {} } },
  async run(_args, { task, host }: ToolContext) {
    if (!task.testCommand) return { ok: false, output: "This task has no visible tests." };
    const result = await host.exec(task.testCommand);
    return { ok: result.exitCode === 0, output: formatExec(result) };
  },
};

export const runCommand: Tool = {
  definition: {
    name: "run_command",
    description: "Run a shell command in the project directory (short commands only; no network).",
    parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
  },
  async run(args, { host }) {
    const result = await host.exec(stringArg(args, "command"));
    return { ok: result.exitCode === 0, output: formatExec(result) };
  },
};

export const finish: Tool = {
  definition: {
    name: "finish",
    description: "Stop: the task is done. Give a one-line summary of what you changed.",
    parameters: { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] },
  },
  async run(args) {
    return { ok: true, output: stringArg(args, "summary", true) || "(no summary)", finished: true };
  },
};
