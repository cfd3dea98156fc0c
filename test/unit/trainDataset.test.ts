// Training-dataset building blocks that need no model: reading trajectories back (delta-encoded
// calls, tools written once, pass/fail/unfinished), the final conversation of a run, LlamaText
// remainders, deduplication and the seeded train / held-out split by run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LlamaText, SpecialToken, SpecialTokensText, type Token } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { TrajectoryWriter } from "../../extension/engine/agent/trajectory";
import { finalConversation, replyMessage } from "../../extension/engine/train/finalConversation";
import { llamaTextRemainder } from "../../extension/engine/train/llamaTextRemainder";
import type { MaskedExample } from "../../extension/engine/train/maskedExample";
import { parseTrajectory, readTrajectory } from "../../extension/engine/train/readTrajectory";
import { dedupe, exampleHash, exampleLine, splitByRun } from "../../extension/engine/train/splitDataset";
import { CladeError } from "../../extension/protocol/errors";
import type { ChatMessage, ChatResult, ToolCall, ToolDefinition } from "../../extension/protocol/model";

const dir = mkdtempSync(path.join(os.tmpdir(), "clade-train-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tools: ToolDefinition[] = [{ name: "read_file", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } }];
const call = (id: string, file: string): ToolCall => ({ id, name: "read_file", arguments: { path: file } });
const result = (toolCalls: ToolCall[], text = "", stopReason: ChatResult["stopReason"] = "toolCall"): ChatResult => ({
  text, toolCalls, stopReason, usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 5 }, timings: { firstTokenMs: 1, totalMs: 2 },
});

/** A run written by the real TrajectoryWriter: two calls, the second one's reply is the final one. */
async function writeRun(name: string, end: { passed: boolean } | undefined, last: ChatResult = result([call("c2", "b.js")])): Promise<string> {
  const writer = new TrajectoryWriter(path.join(dir, `${name}.jsonl`));
  const base: ChatMessage[] = [{ role: "system", content: "sys" }, { role: "user", content: "task" }];
  writer.write({ type: "start", runId: `run-${name}`, task: { id: "t1", suite: "s", instructions: "task" }, versionId: "v1", limits: {} });
  writer.llm({ messages: base, tools, toolChoice: "required" }, result([call("c1", "a.js")]), undefined, 5);
  const second = [...base, { role: "assistant" as const, content: "", toolCalls: [call("c1", "a.js")] }, { role: "tool" as const, content: "A", toolCallId: "c1" }];
  writer.llm({ messages: second, tools, toolChoice: "required" }, last, undefined, 5);
  if (end) writer.write({ type: "end", result: { runId: `run-${name}`, taskId: "t1", versionId: "v1", passed: end.passed } });
  await writer.close();
  return writer.file;
}

describe("readTrajectory + finalConversation", () => {
  it("rebuilds the last call's messages, carries the tools from the first call and appends the final reply", async () => {
    const run = await readTrajectory(await writeRun("pass", { passed: true }));
    expect(run).toMatchObject({ runId: "run-pass", taskId: "t1", versionId: "v1", ended: true, passed: true });
    expect(run.calls).toHaveLength(2);
    // The writer stores the tools only once; the second call still renders with them.
    const raw = readFileSync(run.file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { type: string; tools?: unknown });
    expect(raw.filter((r) => r.type === "llm").map((r) => r.tools !== undefined)).toEqual([true, false]);
    expect(run.calls[1].request).toEqual({ tools, toolChoice: "required" });
    const conversation = finalConversation(run)!;
    expect(conversation.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant"]);
    expect(conversation.messages.at(-1)).toEqual({ role: "assistant", content: "", toolCalls: [call("c2", "b.js")] });
    expect(conversation.endOfTurn).toBe(true);
  });

  it("tells failed and unfinished runs apart and marks a cut final reply", async () => {
    expect((await readTrajectory(await writeRun("fail", { passed: false }))).passed).toBe(false);
    const unfinished = await readTrajectory(await writeRun("unfinished", undefined));
    expect(unfinished).toMatchObject({ ended: false, passed: false });
    const cut = await readTrajectory(await writeRun("cut", { passed: true }, result([], '{"name": "read_fi', "maxTokens")));
    expect(finalConversation(cut)).toMatchObject({ endOfTurn: false, messages: expect.arrayContaining([{ role: "assistant", content: '{"name": "read_fi' }]) });
  });

  it("carries the text the model wrote for each JSON call, as the model host renders it back; none for other texts", async () => {
    const written = '{ "name": "read_file",\n  "arguments": {"path": "b.js"} }';
    const conversation = finalConversation(await readTrajectory(await writeRun("texts", { passed: true }, result([call("c2", "b.js")], written))))!;
    expect(conversation.callText?.(call("c2", "b.js"))).toBe(written);
    // Another call under the same id, a call whose reply text was not its JSON (a scripted reply's "").
    expect(conversation.callText?.(call("c2", "c.js"))).toBeUndefined();
    expect(conversation.callText?.(call("c1", "a.js"))).toBeUndefined();
    const native = finalConversation(await readTrajectory(await writeRun("native-text", { passed: true }, result([call("c2", "b.js")], '<tool_call>\n{"name": "read_file", "arguments": {"path": "b.js"}}\n</tool_call>'))))!;
    expect(native.callText?.(call("c2", "b.js"))).toBeUndefined();
  });

  it("keeps a required-mode call as the call alone and an auto-mode reply with its text", () => {
    expect(replyMessage(result([call("x", "a")], '{"name":"read_file"}'), "required")).toEqual({ role: "assistant", content: "", toolCalls: [call("x", "a")] });
    expect(replyMessage(result([call("x", "a")], "Let me look."), "auto")).toEqual({ role: "assistant", content: "Let me look.", toolCalls: [call("x", "a")] });
    expect(replyMessage(result([], "Done.", "eos"), "auto")).toEqual({ role: "assistant", content: "Done." });
  });

  it("rejects a trajectory with a line that is not JSON, naming the line", () => {
    const error = (() => {
      try {
        parseTrajectory("x.jsonl", '{"type":"start"}\n{"type": "llm", "keptMe');
      } catch (e) {
        return e;
      }
    })();
    expect(CladeError.is(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toMatch(/Line 2 of the trajectory x\.jsonl/);
  });

  it("has no final conversation when no model call succeeded", () => {
    const run = parseTrajectory("e.jsonl", [
      JSON.stringify({ type: "start", runId: "r" }),
      JSON.stringify({ type: "llm", keptMessages: 0, newMessages: [{ role: "user", content: "x" }], error: "boom" }),
      JSON.stringify({ type: "end", result: { passed: true } }),
    ].join("\n"));
    expect(run.calls).toHaveLength(1);
    expect(finalConversation(run)).toBeUndefined();
  });
});

describe("llamaTextRemainder", () => {
  const prompt = LlamaText([new SpecialToken("BOS"), new SpecialTokensText("<|im_start|>user\n"), "hi", new SpecialTokensText("<|im_end|>\n<|im_start|>assistant\n")]);

  it("splits a value the prefix ends inside of, for text and special-token text", () => {
    // As a wrapper renders it: the template text after the prompt continues in the same value.
    const full = LlamaText([...prompt.values.slice(0, 3), new SpecialTokensText("<|im_end|>\n<|im_start|>assistant\n<tool_call>"), "x"]);
    expect(llamaTextRemainder(full, prompt)?.toJSON()).toEqual([{ type: "specialTokensText", value: "<tool_call>" }, "x"]);
    const open = LlamaText([prompt, "The reply"]);
    expect(llamaTextRemainder(LlamaText([open, " goes on", new SpecialToken("EOS")]), open)?.toJSON()).toEqual([" goes on", { type: "specialToken", value: "EOS" }]);
  });

  it("returns the whole text for an empty prefix, an empty text for itself, and undefined when it is not a prefix", () => {
    expect(llamaTextRemainder(prompt, LlamaText([]))).toBe(prompt);
    expect(llamaTextRemainder(prompt, prompt)?.values).toEqual([]);
    expect(llamaTextRemainder(prompt, LlamaText([new SpecialToken("BOS"), new SpecialTokensText("<|im_start|>system\n")]))).toBeUndefined();
    expect(llamaTextRemainder(prompt, LlamaText([new SpecialToken("EOS")]))).toBeUndefined();
    // Same characters, other kind: plain text is not special-token text.
    expect(llamaTextRemainder(LlamaText([new SpecialTokensText("<s>a")]), LlamaText(["<s>"]))).toBeUndefined();
    expect(llamaTextRemainder(LlamaText(["ab"]), LlamaText(["abc"]))).toBeUndefined();
  });
});

describe("dedupe and splitByRun", () => {
  const items = Array.from({ length: 20 }, (_, i) => ({ key: `v1\0task-${i % 7}\0run-${i}`, hash: `h${i}` }));

  it("keeps one of identical examples, the same one whatever the input order", () => {
    const withDuplicates = [...items, { key: "v2\0task-0\0run-x", hash: "h3" }, { key: "a-first\0t\0r", hash: "h5" }];
    const forward = dedupe(withDuplicates);
    const backward = dedupe([...withDuplicates].reverse());
    expect(forward.kept).toHaveLength(20);
    expect(forward.duplicates.map((d) => [d.item.key, d.of.key])).toEqual([
      ["v1\0task-5\0run-5", "a-first\0t\0r"],
      ["v2\0task-0\0run-x", "v1\0task-3\0run-3"],
    ]);
    expect(backward).toEqual(forward);
  });

  it("splits by a seeded hash of the run: same seed same split in any order, another seed another split", () => {
    const a = splitByRun(items, 0.25, 7);
    const b = splitByRun([...items].reverse(), 0.25, 7);
    expect(b).toEqual(a);
    expect(a.heldOut).toHaveLength(5);
    expect(a.train).toHaveLength(15);
    expect(new Set([...a.train, ...a.heldOut].map((x) => x.key)).size).toBe(20);
    const other = splitByRun(items, 0.25, 8);
    expect(other.heldOut.map((x) => x.key).sort()).not.toEqual(a.heldOut.map((x) => x.key).sort());
  });

  it("holds out at least one run when asked and never all of them", () => {
    expect(splitByRun(items.slice(0, 2), 0.01, 1).heldOut).toHaveLength(1);
    expect(splitByRun(items.slice(0, 2), 0.99, 1).train).toHaveLength(1);
    expect(splitByRun(items.slice(0, 1), 0.5, 1)).toEqual({ train: items.slice(0, 1), heldOut: [] });
    expect(splitByRun(items, 0, 1).heldOut).toEqual([]);
  });

  it("hashes tokens and mask, and writes the trainer's line format", () => {
    const example: MaskedExample = { tokens: [5, 6, 7] as Token[], mask: [0, 1, 1] };
    expect(exampleHash(example)).toMatch(/^[0-9a-f]{64}$/);
    expect(exampleHash({ ...example, mask: [0, 0, 1] })).not.toBe(exampleHash(example));
    expect(JSON.parse(exampleLine(example))).toEqual({ tokens: [5, 6, 7], mask: [0, 1, 1] });
  });
});
