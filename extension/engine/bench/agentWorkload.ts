// The agent-shaped workload the inference benchmarks drive: a fixed system prompt and tool set (the
// same for every run, as with a real agent version), a task message per run, and turns of
// grammar-constrained tool calls ("required", what the seed agent does every turn) whose results go
// back into the conversation. Tool work is a fixed result text: the benchmarks measure the model
// path, not the tools.
import type { ChatMessage, ChatParams, ChatResult, ToolDefinition } from "../../protocol/model";

export const benchSystemPrompt = [
  "You are a careful coding agent working in a small JavaScript/TypeScript project.",
  "You act only through tools. Every reply is exactly one tool call.",
  "Look at the files that matter, change the code, run the tests, and call finish when done.",
  "Paths are relative to the project root. Keep changes small and focused on the task.",
].join("\n");

// Bounded strings: a random-weight model then finishes a call in a bounded number of tokens.
const str = (maxLength: number) => ({ type: "string", maxLength });
export const benchTools: ToolDefinition[] = [
  { name: "read_file", description: "Read a file of the project.", parameters: { type: "object", properties: { path: str(24) }, required: ["path"] } },
  { name: "search_code", description: "Search the project for a string.", parameters: { type: "object", properties: { query: str(16) }, required: ["query"] } },
  { name: "run_tests", description: "Run the project's tests.", parameters: { type: "object", properties: {} } },
  { name: "finish", description: "Stop and summarize what was done.", parameters: { type: "object", properties: { summary: str(32) }, required: ["summary"] } },
];

const toolResult = "export function subtract(a, b) {\n  return b - a;\n}\n// 1 test failed: expected subtract(5, 3) to be 2";

export function taskMessage(run: number): string {
  return `# Task\nFix the bug in src/math${run}.js: subtract returns the wrong sign.\n\n# Files\nsrc/math${run}.js\ntest/math${run}.test.js`;
}

export interface TurnRecord {
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  firstTokenMs: number;
  totalMs: number;
  toolCall: boolean;
}

export interface SessionOptions {
  chat: (params: ChatParams) => Promise<ChatResult>;
  sessionId: string;
  run: number;
  turns: number;
  maxTokens: number;
  seed: number;
  temperature?: number;
}

/** One agent-shaped run: `turns` tool-call turns on one session; returns what each turn cost. */
export async function runAgentSession(options: SessionOptions): Promise<TurnRecord[]> {
  const messages: ChatMessage[] = [
    { role: "system", content: benchSystemPrompt },
    { role: "user", content: taskMessage(options.run) },
  ];
  const records: TurnRecord[] = [];
  for (let turn = 0; turn < options.turns; turn++) {
    const reply = await options.chat({
      messages,
      tools: benchTools,
      toolChoice: "required",
      maxTokens: options.maxTokens,
      temperature: options.temperature ?? 0.3,
      seed: options.seed + turn,
      sessionId: options.sessionId,
    });
    const call = reply.toolCalls[0];
    records.push({ ...reply.usage, ...reply.timings, toolCall: Boolean(call) });
    if (call) messages.push({ role: "assistant", content: "", toolCalls: [call] }, { role: "tool", content: toolResult, toolCallId: call.id });
    else messages.push({ role: "assistant", content: reply.text }, { role: "user", content: "Reply with exactly one tool call." });
  }
  return records;
}
