// The control loop against a scripted model (no LLM): tool calls run, finish stops, limits hold.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import type { AgentEvent, AgentHost, ChatParams, ChatResult, ToolCall } from "../src/host";
import { runAgent } from "../src/loop";
import { settings } from "../src/settings";

function scriptedHost(calls: Omit<ToolCall, "id">[], limits: Partial<AgentHost["limits"]> = {}) {
  const events: AgentEvent[] = [];
  const seen: ChatParams[] = [];
  let i = 0;
  const host: AgentHost = {
    async llm(params) {
      seen.push(params);
      const call = calls[Math.min(i, calls.length - 1)];
      i++;
      const result: ChatResult = { text: "", toolCalls: [{ id: `c${i}`, ...call }], stopReason: "toolCall", usage: { promptTokens: 100, cachedPromptTokens: 80, completionTokens: 10 } };
      return result;
    },
    async exec() {
      return { exitCode: 0, timedOut: false, output: "1 passed", truncated: false, durationMs: 5 };
    },
    record: (event) => events.push(event),
    limits: { maxTurns: 10, maxTokens: 100_000, timeoutMs: 60_000, commandTimeoutMs: 10_000, contextTokens: 4096, ...limits },
    signal: new AbortController().signal,
  };
  return { host, events, seen };
}

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seed-loop-"));
  made.push(dir);
  fs.writeFileSync(path.join(dir, "sum.js"), "export const sum = (a, b) => a - b;\n");
  return dir;
}

test("edits a file, runs the tests and finishes", async () => {
  const dir = project();
  const { host, events, seen } = scriptedHost([
    { name: "read_file", arguments: { path: "sum.js" } },
    { name: "edit_file", arguments: { path: "sum.js", search: "a - b", replace: "a + b" } },
    { name: "run_tests", arguments: {} },
    { name: "finish", arguments: { summary: "fixed sum" } },
  ]);
  const outcome = await runAgent({ id: "t", instructions: "Fix sum", workspace: dir, testCommand: "node --test", allowCommands: false }, host);
  assert.deepEqual(outcome, { stopReason: "finished", summary: "fixed sum", turns: 4 });
  assert.equal(fs.readFileSync(path.join(dir, "sum.js"), "utf8"), "export const sum = (a, b) => a + b;\n");
  assert.equal(events.filter((e) => e.type === "tool-call").length, 4);
  assert.ok(seen.every((p) => p.toolChoice === "required"));
  assert.ok(!seen[0].tools!.some((t) => t.name === "run_command"), "run_command is offered only when the task allows commands");
  assert.ok(seen.every((p) => (p.maxTokens ?? 0) >= 1024), "replies can hold a file (4k context)");
  // The system prompt is the same object text every turn, so the host can reuse its KV cache.
  assert.ok(seen.every((p) => p.messages[0].content === seen[0].messages[0].content));
});

test("stops at the turn limit and reports unknown tools to the model", async () => {
  const { host, seen } = scriptedHost([{ name: "no_such_tool", arguments: {} }], { maxTurns: 3 });
  const outcome = await runAgent({ id: "t", instructions: "x", workspace: project(), allowCommands: false }, host);
  assert.equal(outcome.stopReason, "turn-limit");
  assert.match(seen[2].messages.at(-1)!.content, /There is no tool named "no_such_tool"/);
});

test("stops at the token limit", async () => {
  const { host } = scriptedHost([{ name: "list_files", arguments: {} }], { maxTokens: 50 });
  const outcome = await runAgent({ id: "t", instructions: "x", workspace: project(), allowCommands: false }, host);
  assert.equal(outcome.stopReason, "token-limit");
});

test("a tool error goes back to the model instead of ending the run", async () => {
  const { host, events } = scriptedHost([
    { name: "read_file", arguments: { path: "../../etc/passwd" } },
    { name: "finish", arguments: { summary: "done" } },
  ]);
  const outcome = await runAgent({ id: "t", instructions: "x", workspace: project(), allowCommands: false }, host);
  assert.equal(outcome.stopReason, "finished");
  const first = events.find((e) => e.type === "tool-result");
  assert.ok(first && first.type === "tool-result" && !first.ok && /outside the project/.test(first.output));
});

/** A host whose model replies come from `reply` (by call number, from 1), with a 2k context. */
function hostReplying(reply: (n: number) => ChatResult): { host: AgentHost; seen: ChatParams[] } {
  const seen: ChatParams[] = [];
  const host: AgentHost = {
    async llm(params) {
      seen.push(params);
      return reply(seen.length);
    },
    async exec() {
      return { exitCode: 0, timedOut: false, output: "", truncated: false, durationMs: 1 };
    },
    record: () => undefined,
    limits: { maxTurns: 5, maxTokens: 100_000, timeoutMs: 60_000, commandTimeoutMs: 10_000, contextTokens: 2048 },
    signal: new AbortController().signal,
  };
  return { host, seen };
}

const callReply = (call: ToolCall): ChatResult => ({ text: "", toolCalls: [call], stopReason: "toolCall", usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 5 } });

test("a reply cut off at the token limit is not echoed back into the context", async () => {
  const { host, seen } = hostReplying((n) =>
    n === 1 ? { text: "x".repeat(5000), toolCalls: [], stopReason: "maxTokens", usage: { promptTokens: 100, cachedPromptTokens: 0, completionTokens: 768 } } : callReply({ id: "c", name: "finish", arguments: { summary: "done" } }),
  );
  const outcome = await runAgent({ id: "t", instructions: "x", workspace: project(), allowCommands: false }, host);
  assert.equal(outcome.stopReason, "finished");
  const second = seen[1].messages;
  assert.ok(second.every((m) => m.content.length < 1000), "the 5,000-character cut-off reply is not in the next prompt");
  assert.match(second.at(-1)!.content, /cut off at \d+ tokens/);
});

test("a prompt the host says does not fit is fitted to a smaller budget and sent again", async () => {
  const { host, seen } = hostReplying((n) => {
    // As the harness rejects a model call the engine refused: the engine's error reason on the Error.
    if (n === 2) throw Object.assign(new Error("The prompt is 2139 tokens and the context of a sequence 2048: no room is left for a reply."), { reason: "context-overflow" });
    return callReply(n === 1 ? { id: "a", name: "read_file", arguments: { path: "sum.js" } } : { id: "b", name: "finish", arguments: { summary: "ok" } });
  });
  const outcome = await runAgent({ id: "t", instructions: "x", workspace: project(), allowCommands: false }, host);
  assert.equal(outcome.stopReason, "finished");
  assert.equal(seen.length, 3);
});

test("with extraAttempts 1, a finish whose tests fail shows their output and gives a second attempt", async () => {
  const dir = project();
  const { host, events, seen } = scriptedHost([
    { name: "edit_file", arguments: { path: "sum.js", search: "a - b", replace: "a * b" } },
    { name: "finish", arguments: { summary: "first try" } },
    { name: "edit_file", arguments: { path: "sum.js", search: "a * b", replace: "a + b" } },
    { name: "finish", arguments: { summary: "second try" } },
  ]);
  let runs = 0;
  host.exec = async () => ({ exitCode: runs++ === 0 ? 1 : 0, timedOut: false, output: runs === 1 ? "not ok 1 - sums" : "ok 1 - sums", truncated: false, durationMs: 5 });
  const before = settings.extraAttempts;
  settings.extraAttempts = 1;
  try {
    const outcome = await runAgent({ id: "t", instructions: "Fix sum", workspace: dir, testCommand: "node --test", allowCommands: false }, host);
    assert.deepEqual(outcome, { stopReason: "finished", summary: "second try", turns: 4 });
    assert.deepEqual(events.filter((e) => e.type === "attempt").map((e) => e.type === "attempt" && [e.turn, e.attempt]), [[2, 2]]);
    const feedback = seen[2].messages[seen[2].messages.length - 1];
    assert.equal(feedback.role, "tool");
    assert.match(feedback.content, /The tests fail after your changes:\nnot ok 1 - sums/);
    assert.equal(runs, 1, "the tests ran after the first finish only: no attempt is left after the second");
  } finally {
    settings.extraAttempts = before;
  }
});

test("by default (extraAttempts 0) finish ends the run without running the tests", async () => {
  const dir = project();
  const { host } = scriptedHost([{ name: "finish", arguments: { summary: "done" } }]);
  let runs = 0;
  host.exec = async () => ({ exitCode: (runs++, 1), timedOut: false, output: "", truncated: false, durationMs: 1 });
  const outcome = await runAgent({ id: "t", instructions: "x", workspace: dir, testCommand: "node --test", allowCommands: false }, host);
  assert.equal(outcome.stopReason, "finished");
  assert.equal(runs, 0);
});
