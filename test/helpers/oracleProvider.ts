// A SCRIPTED provider for session tests (no LLM). It plays every role by rules:
// - asked to diagnose (tool propose_improvement): proposes adding a planning rule to the prompt;
// - asked to edit its own code: adds that rule (MAGIC) to src/prompts.ts and finishes;
// - asked to solve a task: when the agent's system prompt contains MAGIC it writes the task's
//   reference solution (it is an oracle) — except on about a third of the tasks (fixed by id), so
//   a good child is not perfect (DGM excludes perfect parents) — otherwise it gives up at once.
// So the seed agent (without MAGIC) fails, and a child that gained MAGIC by self-edit succeeds:
// a known weakness fixed by a self-modification.
import { promises as fs } from "node:fs";
import path from "node:path";
import type { LlmProvider } from "../../extension/engine/agent/llmProvider";
import { makeScratchDir } from "../../extension/engine/tasks/taskDirs";
import type { Task } from "../../extension/engine/tasks/types";
import type { ChatParams, ChatResult, ToolCall } from "../../extension/protocol/model";

export const MAGIC = "Before finishing, always write the complete solution.";

export class OracleProvider implements LlmProvider {
  private readonly steps = new Map<string, number>();
  private readonly solutions = new Map<string, { path: string; content: string }[]>();
  calls = 0;

  constructor(private readonly tasks: readonly Task[], private readonly options: { selfEditWorks?: boolean } = {}) {}

  async chat(params: ChatParams): Promise<ChatResult> {
    this.calls += 1;
    const key = params.sessionId ?? "none";
    const step = this.steps.get(key) ?? 0;
    this.steps.set(key, step + 1);
    const system = params.messages.find((m) => m.role === "system")?.content ?? "";
    const user = params.messages.find((m) => m.role === "user")?.content ?? "";
    if (params.tools?.some((t) => t.name === "propose_improvement")) return reply({ name: "propose_improvement", arguments: diagnosis });
    if (user.includes("You are working on your own source code")) return reply(step === 0 && this.options.selfEditWorks !== false ? selfEdit : finish("done"));
    const task = this.tasks.find((t) => user.includes(t.instructions.trim()));
    if (!task || !system.includes(MAGIC) || hardTask(task.id)) return reply(finish("I give up"));
    const files = await this.solution(task);
    return reply(step < files.length ? { name: "write_file", arguments: files[step] } : finish("solved"));
  }

  private async solution(task: Task): Promise<{ path: string; content: string }[]> {
    let files = this.solutions.get(task.id);
    if (!files) {
      const dir = await makeScratchDir("oracle");
      try {
        await task.files.writeReference!(dir.path);
        const names = (await fs.readdir(dir.path, { recursive: true })).map(String);
        files = [];
        for (const name of names.sort()) {
          const full = path.join(dir.path, name);
          if ((await fs.stat(full)).isFile()) files.push({ path: name, content: await fs.readFile(full, "utf8") });
        }
      } finally {
        await dir.dispose();
      }
      this.solutions.set(task.id, files);
    }
    return files;
  }
}

const diagnosis = {
  logSummary: "The agent gave up without writing any code.",
  potentialImprovements: ["Add a rule to the system prompt that the agent must write the solution."],
  improvementProposal: "Add the rule to the system prompt.",
  implementationSuggestion: "In src/prompts.ts add a line to the system prompt.",
  problemStatement: "The agent finishes before it has written the solution.",
};

const selfEdit = {
  name: "edit_file",
  arguments: { path: "src/prompts.ts", search: '"You act only through tools. Every reply is exactly one tool call.",', replace: `"You act only through tools. Every reply is exactly one tool call.",\n    ${JSON.stringify(MAGIC)},` },
};

export function hardTask(id: string): boolean {
  return [...id].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 3 === 0;
}

function finish(summary: string) {
  return { name: "finish", arguments: { summary } };
}

let callId = 0;
function reply(call: Omit<ToolCall, "id">): ChatResult {
  return { text: "", toolCalls: [{ id: `oracle-${++callId}`, ...call }], stopReason: "toolCall", usage: { promptTokens: 100, cachedPromptTokens: 50, completionTokens: 20 }, timings: { firstTokenMs: 0, totalMs: 0 } };
}
