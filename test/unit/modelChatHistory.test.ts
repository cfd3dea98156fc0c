// ChatMessages -> node-llama-cpp chat history: roles, tool calls and results with and without a
// native tool syntax, continuation of a model turn, and the tool instructions.
import { describe, expect, it } from "vitest";
import { toChatHistory } from "../../extension/engine/model/chatHistory";
import type { ChatMessage } from "../../extension/protocol/model";

const conversation: ChatMessage[] = [
  { role: "system", content: "sys" },
  { role: "user", content: "read a" },
  { role: "assistant", content: "ok", toolCalls: [{ id: "c1", name: "read", arguments: { path: "a" } }] },
  { role: "tool", toolCallId: "c1", content: '{"text": "A"}' },
];

describe("toChatHistory", () => {
  it("keeps tool calls and results inside one model turn with native tools, and continues that turn", () => {
    expect(toChatHistory(conversation, { nativeTools: true })).toEqual([
      { type: "system", text: "sys" },
      { type: "user", text: "read a" },
      { type: "model", response: ["ok", { type: "functionCall", name: "read", params: { path: "a" }, result: { text: "A" } }] },
    ]);
  });

  it("merges the assistant text that follows tool results into the same turn", () => {
    const history = toChatHistory([...conversation, { role: "assistant", content: "done" }, { role: "user", content: "thanks" }], { nativeTools: true });
    expect(history.at(-3)).toMatchObject({ type: "model", response: ["ok", { type: "functionCall" }, "done"] });
    expect(history.at(-1)).toEqual({ type: "model", response: [] });
  });

  it("writes calls as JSON and results as user messages without native tools", () => {
    expect(toChatHistory(conversation, { nativeTools: false })).toEqual([
      { type: "system", text: "sys" },
      { type: "user", text: "read a" },
      { type: "model", response: ["ok", '{"name":"read","arguments":{"path":"a"}}'] },
      { type: "user", text: 'Result of tool read (c1):\n{"text": "A"}' },
      { type: "model", response: [] },
    ]);
  });

  it("adds tool instructions to the first system message, or as a new one", () => {
    expect(toChatHistory(conversation.slice(0, 2), { nativeTools: false, extraSystemText: "TOOLS" })[0]).toEqual({ type: "system", text: "sys\n\nTOOLS" });
    expect(toChatHistory([{ role: "user", content: "hi" }], { nativeTools: false, extraSystemText: "TOOLS" })[0]).toEqual({ type: "system", text: "TOOLS" });
  });

  it("continues a prefilled assistant message instead of starting a new turn", () => {
    const history = toChatHistory([{ role: "user", content: "hi" }, { role: "assistant", content: "Once" }], { nativeTools: false });
    expect(history.at(-1)).toEqual({ type: "model", response: ["Once"] });
  });

  it("rejects an empty conversation", () => {
    expect(() => toChatHistory([], { nativeTools: false })).toThrow(/at least one message/);
  });
});
