// Diagnosis: the model reads the parent's failing run (its trajectory and test output) and the
// parent's own code, and returns a structured proposal (grammar-constrained, so it always parses
// unless the reply is cut off).
import { promises as fs } from "node:fs";
import path from "node:path";
import { CladeError } from "../../protocol/errors";
import type { ChatMessage } from "../../protocol/model";
import type { LlmProvider } from "../agent/llmProvider";
import { proposeImprovementTool, toDiagnosis, type Diagnosis } from "./diagnosis";
import { targetNote, type Target } from "./chooseTarget";

export interface DiagnoseOptions {
  provider: LlmProvider;
  /** The parent's scaffold folder. */
  scaffoldDir: string;
  target: Target;
  /** Rough character budget for the code and the log in the prompt (small models have small contexts). */
  maxPromptChars?: number;
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  signal?: AbortSignal;
}

export interface DiagnoseResult {
  diagnosis: Diagnosis;
  tokens: { prompt: number; completion: number };
}

export async function diagnose(options: DiagnoseOptions): Promise<DiagnoseResult> {
  const budget = options.maxPromptChars ?? 12_000;
  const code = await scaffoldSummary(options.scaffoldDir, Math.floor(budget * 0.6));
  const log = await runSummary(options.target.run.trajectory, Math.floor(budget * 0.4));
  const messages: ChatMessage[] = [
    { role: "system", content: "You improve a coding agent by reading how it failed and what its code does. Answer only by calling propose_improvement." },
    { role: "user", content: `# Why we look at this run\n${targetNote(options.target)}\n\n# The failed run (task ${options.target.run.taskId})\n${log}\n\n# The agent's code\n${code}` },
  ];
  const reply = await options.provider.chat(
    { messages, tools: [proposeImprovementTool], toolChoice: "required", maxTokens: options.maxTokens ?? 1500, temperature: options.temperature ?? 0.7, seed: options.seed },
    { signal: options.signal },
  );
  const diagnosis = toDiagnosis(reply.toolCalls[0]?.arguments);
  if (!diagnosis) {
    throw new CladeError("internal", `The diagnosis reply was not a complete proposal (stop: ${reply.stopReason}).`, "Nothing to fix by hand: the expansion is recorded as failed; a larger maxTokens or a stronger model helps.", { stopReason: reply.stopReason });
  }
  return { diagnosis, tokens: { prompt: reply.usage.promptTokens, completion: reply.usage.completionTokens } };
}

/** The files of the scaffold (sources first), each cut to fit the budget. */
export async function scaffoldSummary(dir: string, budget: number): Promise<string> {
  const files = (await fs.readdir(dir, { recursive: true }))
    .map(String)
    .filter((f) => f.endsWith(".ts") && !f.includes("node_modules"))
    .sort((a, b) => Number(a.startsWith("test")) - Number(b.startsWith("test")) || a.localeCompare(b));
  const per = Math.max(300, Math.floor(budget / Math.max(1, files.length)));
  const parts: string[] = [];
  for (const file of files) {
    const text = await fs.readFile(path.join(dir, file), "utf8");
    parts.push(`## ${file}\n${text.length > per ? `${text.slice(0, per)}\n… (${text.length - per} more characters)` : text}`);
  }
  return parts.join("\n\n").slice(0, budget);
}

/** The run as a short log: each tool call and result, then how it ended and the test output. */
export async function runSummary(trajectory: string, budget: number): Promise<string> {
  const lines = (await fs.readFile(trajectory, "utf8")).trim().split("\n");
  const out: string[] = [];
  for (const line of lines) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (record.type === "tool-call") out.push(`call ${record.name} ${JSON.stringify(record.arguments).slice(0, 200)}`);
    else if (record.type === "tool-result") out.push(`  → ${record.ok ? "ok" : "error"}: ${String(record.output).slice(0, 300)}`);
    else if (record.type === "end") {
      const result = record.result as { stopReason: string; test?: { output?: string } | null };
      out.push(`ended: ${result.stopReason}`, `test output:\n${(result.test?.output ?? "(none)").slice(-1500)}`);
    }
  }
  const text = out.join("\n");
  return text.length > budget ? `…${text.slice(-budget)}` : text;
}
