// Checks what the agent process sends before the engine acts on it: the agent is untrusted code,
// so a malformed or oversized message ends the run instead of reaching the model host.
import { z } from "zod";
import type { HarnessToEngine } from "../../protocol/agent";

const MAX_MESSAGE_CHARS = 2_000_000;

const toolCall = z.object({ id: z.string(), name: z.string(), arguments: z.unknown() });
const chatMessage = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string(),
  toolCalls: z.array(toolCall).optional(),
  toolCallId: z.string().optional(),
});
const chatParams = z.object({
  messages: z.array(chatMessage).min(1),
  tools: z.array(z.object({ name: z.string(), description: z.string(), parameters: z.record(z.string(), z.unknown()) })).optional(),
  toolChoice: z.enum(["auto", "required", "none"]).optional(),
  maxTokens: z.number().int().positive().max(32_768).optional(),
  temperature: z.number().min(0).max(10).optional(),
  topK: z.number().int().min(0).optional(),
  topP: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
});
const agentEvent = z.union([
  z.object({ type: z.literal("tool-call"), turn: z.number(), name: z.string(), arguments: z.unknown() }),
  z.object({ type: z.literal("tool-result"), turn: z.number(), name: z.string(), ok: z.boolean(), output: z.string(), truncatedFrom: z.number().optional() }),
  z.object({ type: z.literal("note"), turn: z.number(), text: z.string() }),
  z.object({ type: z.literal("attempt"), turn: z.number(), attempt: z.number().int().min(2), feedback: z.string() }),
]);
const outcome = z.object({
  stopReason: z.enum(["finished", "turn-limit", "token-limit", "timeout", "cancelled", "model-error", "agent-error"]),
  summary: z.string().optional(),
  turns: z.number().int().min(0),
});
const message = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ready") }),
  z.object({ kind: z.literal("llm"), id: z.number().int(), params: chatParams }),
  z.object({ kind: z.literal("exec"), id: z.number().int(), command: z.string().max(100_000), timeoutMs: z.number().positive().optional() }),
  z.object({ kind: z.literal("event"), event: agentEvent }),
  z.object({ kind: z.literal("done"), outcome }),
  z.object({ kind: z.literal("failed"), message: z.string(), stack: z.string().optional() }),
]);

export function parseHarnessMessage(raw: unknown): HarnessToEngine | undefined {
  if (JSON.stringify(raw ?? null).length > MAX_MESSAGE_CHARS) return undefined;
  const parsed = message.safeParse(raw);
  return parsed.success ? (parsed.data as HarnessToEngine) : undefined;
}
