// The control loop: ask the model for one tool call, run it, show it the result, until it calls
// finish or a limit is reached. Every reply is grammar-constrained to one tool call (toolChoice
// "required"), so a small model cannot produce something unparseable.
import { anotherAttempt } from "./attempts";
import { clip, fitToBudget, replyTokens, TokenMeter } from "./context";
import type { AgentHost, AgentOutcome, AgentTask, ChatMessage } from "./host";
import { nudges, systemPrompt, taskPrompt } from "./prompts";
import { settings } from "./settings";
import { walkFiles } from "./tools/fileTools";
import { toolsFor } from "./tools/index";

export async function runAgent(task: AgentTask, host: AgentHost): Promise<AgentOutcome> {
  const tools = toolsFor(task);
  const byName = new Map(tools.map((tool) => [tool.definition.name, tool]));
  const files = await walkFiles(task.workspace, settings.maxListedFiles);
  const messages: ChatMessage[] = [
    { role: "system", content: systemPrompt() },
    { role: "user", content: taskPrompt(task, files) },
  ];
  const deadline = Date.now() + host.limits.timeoutMs;
  const definitions = tools.map((tool) => tool.definition);
  const meter = new TokenMeter(definitions);
  const maxReply = replyTokens(host.limits.contextTokens);
  let tokensUsed = 0;
  let attempt = 1;

  for (let turn = 1; turn <= host.limits.maxTurns; turn++) {
    if (host.signal.aborted) return { stopReason: "cancelled", turns: turn - 1 };
    if (Date.now() > deadline) return { stopReason: "timeout", turns: turn - 1 };
    if (tokensUsed >= host.limits.maxTokens) return { stopReason: "token-limit", turns: turn - 1 };

    let sent: ChatMessage[];
    let reply;
    // The estimate can fall short (text that tokenizes worse than what calibrated it): when the host
    // says the prompt leaves no room (reason "context-overflow"), fit it to a smaller budget and ask again.
    for (let budget = host.limits.contextTokens - maxReply; ; budget = Math.floor(budget * 0.6)) {
      sent = fitToBudget(messages, budget, (m) => meter.estimate(m));
      try {
        reply = await host.llm({ messages: sent, tools: definitions, toolChoice: "required", maxTokens: maxReply, temperature: settings.temperature });
        break;
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        host.record({ type: "note", turn, text: `model call failed: ${text}` });
        if ((error as { reason?: unknown }).reason !== "context-overflow" || budget < 256 || host.signal.aborted) return { stopReason: host.signal.aborted ? "cancelled" : "model-error", turns: turn };
      }
    }
    meter.calibrate(sent, reply.usage.promptTokens);
    tokensUsed += reply.usage.promptTokens - reply.usage.cachedPromptTokens + reply.usage.completionTokens;

    const call = reply.toolCalls[0];
    if (!call) {
      // A reply cut off at the token limit is not echoed back: it would fill the context with a
      // half-written call (and the next one would be cut off sooner).
      const cut = reply.stopReason === "maxTokens";
      messages.push({ role: "assistant", content: cut ? nudges.cutOffStub : reply.text }, { role: "user", content: cut ? nudges.cutOff(maxReply) : nudges.noToolCall });
      continue;
    }
    messages.push({ role: "assistant", content: "", toolCalls: [call] });
    host.record({ type: "tool-call", turn, name: call.name, arguments: call.arguments });

    const tool = byName.get(call.name);
    const args = (typeof call.arguments === "object" && call.arguments !== null ? call.arguments : {}) as Record<string, unknown>;
    const result = tool
      ? await tool.run(args, { task, host }).catch((error: unknown) => ({ ok: false, output: error instanceof Error ? error.message : String(error), finished: false }))
      : { ok: false, output: nudges.unknownTool(call.name, [...byName.keys()]), finished: false };
    const shown = clip(result.output);
    host.record({ type: "tool-result", turn, name: call.name, ok: result.ok, output: shown.text, truncatedFrom: shown.from });
    messages.push({ role: "tool", content: shown.text, toolCallId: call.id });

    if ("finished" in result && result.finished) {
      const feedback = await anotherAttempt(task, host, turn, attempt++);
      if (feedback === undefined) return { stopReason: "finished", summary: result.output, turns: turn };
      messages[messages.length - 1].content += `\n\n${feedback}`;
    }
  }
  return { stopReason: "turn-limit", turns: host.limits.maxTurns };
}

