// Malformed model output, through the scripted provider into the real agent loop: what the model
// (with the grammar bypassed) could send. The run must go on (the agent is told what was wrong)
// or end with a clear stop reason — never a harness crash.
import os from "node:os";
import path from "node:path";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import type { LlmProvider } from "../../extension/engine/agent/llmProvider";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider, type ScriptedReply } from "../../extension/engine/agent/scriptedProvider";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { CladeError } from "../../extension/protocol/errors";
import type { ChatParams, ChatResult } from "../../extension/protocol/model";
import type { SuiteReport } from "./suiteReport";

const finish: ScriptedReply = { toolCall: { name: "finish", arguments: { summary: "done" } } };

class ThrowingProvider implements LlmProvider {
  async chat(_params: ChatParams): Promise<ChatResult> {
    throw new CladeError("internal", "The model call failed (llama.cpp decode error).", "Nothing to fix: the run ends.");
  }
}

export async function modelOutputCases(report: SuiteReport, work: string): Promise<void> {
  const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
  if (!build.ok) throw new Error(build.message);
  const bundle = build.bundle;
  const task = (await openBuiltinSuite().get("t0-subtract-order"))!;
  const runsDir = path.join(work, "runs");
  const cases: [string, ScriptedReply][] = [
    ["model output: invalid JSON text (grammar bypassed)", { text: '{"name": "read_file", "arguments": {"path": ' }],
    ["model output: empty reply", { text: "" }],
    ["model output: unknown tool", { toolCall: { name: "delete_everything", arguments: {} } }],
    ["model output: wrong argument types (path: 42)", { toolCall: { name: "read_file", arguments: { path: 42 } } }],
    ["model output: arguments are a string, not an object", { toolCall: { name: "write_file", arguments: "calc.mjs" as unknown as Record<string, unknown> } }],
    ["model output: arguments are null", { toolCall: { name: "edit_file", arguments: null as unknown as Record<string, unknown> } }],
    ["model output: missing required arguments", { toolCall: { name: "edit_file", arguments: { path: "calc.mjs" } } }],
  ];
  for (const [name, reply] of cases) {
    await report.attempt(name, async () => {
      const provider = new ScriptedProvider([reply, finish]);
      const result = await runTask({ task, versionId: "seed", bundle, provider, runsDir });
      // What the agent told the model next: the last message of the following model call.
      const next = provider.calls[1]?.messages.at(-1)?.content ?? "(no further call)";
      return { ok: result.stopReason === "finished" && !result.error && provider.calls.length === 2, detail: `${result.stopReason}; the model was told: ${next.slice(0, 200)}` };
    });
  }
  await report.attempt("model output: the model call fails (provider error)", async () => {
    const result = await runTask({ task, versionId: "seed", bundle, provider: new ThrowingProvider(), runsDir });
    return { ok: result.stopReason === "model-error" && !result.error, detail: `run ended ${result.stopReason}` };
  });
}
