// What the agent is told. The system prompt stays the same for every turn of a run (and across runs
// of the same version), so the model host can keep it in its KV cache.
import type { AgentTask } from "./host";

export function systemPrompt(): string {
  return [
    "You are a careful coding agent working in a small JavaScript/TypeScript project.",
    "You act only through tools. Every reply is exactly one tool call.",
    "Work like this:",
    "1. Look at the files that matter (list_files, read_file, search_code).",
    "2. Change the code (edit_file for small changes, write_file to replace a whole file).",
    "3. Run the tests if the task has them (run_tests) and fix what fails.",
    "4. Call finish with a one-line summary when the task is done.",
    "Paths are relative to the project root. Keep changes small and focused on the task.",
  ].join("\n");
}

export function taskPrompt(task: AgentTask, files: string[]): string {
  const tests = task.testCommand ? `Run the tests with the run_tests tool (it runs \`${task.testCommand}\`).` : "This task has no visible tests.";
  return [`# Task\n${task.instructions.trim()}`, `# Files\n${files.join("\n") || "(none)"}`, `# Notes\n${tests}`].join("\n\n");
}

export const nudges = {
  noToolCall: "Reply with exactly one tool call.",
  cutOffStub: "[reply cut off]",
  cutOff: (maxTokens: number) => `Your reply was cut off at ${maxTokens} tokens. Reply with one shorter tool call: change a few lines with edit_file rather than writing a whole file.`,
  unknownTool: (name: string, known: string[]) => `There is no tool named "${name}". Use one of: ${known.join(", ")}.`,
  testsStillFail: (output: string) => `The tests fail after your changes:\n${output}\nFind the cause, fix it, and call finish again when the tests pass.`,
};
