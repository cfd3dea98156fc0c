// Diagnosis: the model reads the parent's failing run (its trajectory and test output) and the
// parent's own code, and returns a structured proposal (grammar-constrained, so it always parses
// unless the reply is cut off). Sized from the model's context: the reply gets a quarter of it (at
// most 1500 tokens), the prompt the rest — the code as whole files by relevance (the loop, the tools
// the run used, prompts, context, settings, the rest; the names of those left out), the run log what
// remains (at least 30%).
import { promises as fs } from "node:fs";
import os from "node:os";
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
  /**
   * The model's context per sequence, in tokens. Sizes the reply (a quarter of it, at most 1500
   * tokens) and the prompt (the rest). Default 4096 when maxPromptChars is not given either.
   */
  contextTokens?: number;
  /** A character budget for the code and the log in the prompt; with contextTokens, the smaller wins. */
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

/** Characters per token when sizing the prompt (code and English run at about 3–4). */
export const CHARS_PER_TOKEN = 3.5;
const DEFAULT_CONTEXT_TOKENS = 4096;
const MAX_REPLY_TOKENS = 1500;
/** Tokens the chat template adds around the messages and the tool definition. */
const TEMPLATE_TOKENS = 64;
/** The code gets at most this share of the budget; the run log the rest. */
const CODE_SHARE = 0.7;
const MIN_PROMPT_CHARS = 1000;

const SYSTEM = "You improve a coding agent by reading how it failed and what its code does. Answer only by calling propose_improvement.";

/** The reply's token limit for a context: a quarter of it, at most 1500. */
export function diagnosisReplyTokens(contextTokens: number): number {
  return Math.min(MAX_REPLY_TOKENS, Math.floor(contextTokens / 4));
}

/** Characters for the code and the log: the context less the reply, in characters, less the fixed text (system, tool schema, headings). */
export function diagnosisPromptChars(contextTokens: number, replyTokens: number, fixedChars: number): number {
  return Math.max(MIN_PROMPT_CHARS, Math.floor((contextTokens - replyTokens - TEMPLATE_TOKENS) * CHARS_PER_TOKEN) - fixedChars);
}

export async function diagnose(options: DiagnoseOptions): Promise<DiagnoseResult> {
  const contextTokens = options.contextTokens ?? (options.maxPromptChars === undefined ? DEFAULT_CONTEXT_TOKENS : undefined);
  const maxTokens = options.maxTokens ?? diagnosisReplyTokens(contextTokens ?? DEFAULT_CONTEXT_TOKENS);
  const userText = (log: string, code: string) => `# Why we look at this run\n${targetNote(options.target)}\n\n# The failed run (task ${options.target.run.taskId})\n${log}\n\n# The agent's code\n${code}`;
  const fixedChars = SYSTEM.length + JSON.stringify(proposeImprovementTool).length + userText("", "").length;
  const budget = Math.min(options.maxPromptChars ?? Infinity, contextTokens === undefined ? Infinity : diagnosisPromptChars(contextTokens, maxTokens, fixedChars));

  const records = await readTrajectory(options.target.run.trajectory);
  const code = await scaffoldCode(options.scaffoldDir, Math.floor(budget * CODE_SHARE), toolsCalled(records));
  const log = summarizeRun(records, budget - code.text.length);
  const messages: ChatMessage[] = [
    { role: "system", content: SYSTEM },
    { role: "user", content: userText(log, code.text) },
  ];
  const reply = await options.provider.chat(
    { messages, tools: [proposeImprovementTool], toolChoice: "required", maxTokens, temperature: options.temperature ?? 0.7, seed: options.seed },
    { signal: options.signal },
  );
  const diagnosis = toDiagnosis(reply.toolCalls[0]?.arguments);
  if (!diagnosis) {
    throw new CladeError("internal", `The diagnosis reply was not a complete proposal (stop: ${reply.stopReason}).`, "Nothing to fix by hand: the expansion is recorded as failed; a larger maxTokens or a stronger model helps.", { stopReason: reply.stopReason });
  }
  return { diagnosis, tokens: { prompt: reply.usage.promptTokens, completion: reply.usage.completionTokens } };
}

export interface ScaffoldCode {
  text: string;
  /** Files given whole, in the order shown. */
  included: string[];
  /** Files that did not fit (named at the end of `text`). */
  omitted: string[];
}

/**
 * The scaffold's .ts files as WHOLE files, most relevant first, while they fit `budget` characters:
 * src/loop.ts, the files in src/tools/ that define the tools the failed run called (most called
 * first), src/prompts.ts, src/context.ts, src/settings.ts, the other sources, then the tests. Files
 * that do not fit are skipped (a smaller later one may still fit) and named at the end. The first
 * file is always shown: cut, when not even it fits whole.
 */
export async function scaffoldCode(dir: string, budget: number, usedTools: readonly string[] = []): Promise<ScaffoldCode> {
  const files = (await fs.readdir(dir, { recursive: true }))
    .map((f) => String(f).split(path.sep).join("/"))
    .filter((f) => f.endsWith(".ts") && !f.split("/").includes("node_modules"));
  const texts = new Map(await Promise.all(files.map(async (f) => [f, await fs.readFile(path.join(dir, f), "utf8")] as const)));
  const ordered = rankFiles(files, toolFiles(texts, usedTools));
  const section = (file: string, text: string) => `## ${file}\n${text}`;
  const omittedLine = (names: readonly string[]) => `(Left out, no room: ${names.join(", ")})`;
  // Room for naming every file but the first as left out, so the list always fits.
  const room = budget - omittedLine(ordered.slice(1)).length - 2;
  const parts: string[] = [];
  const included: string[] = [];
  const omitted: string[] = [];
  let used = 0;
  for (const [index, file] of ordered.entries()) {
    const text = texts.get(file) ?? "";
    const part = section(file, text);
    const cost = part.length + (parts.length ? 2 : 0);
    if (used + cost <= room) {
      parts.push(part);
      included.push(file);
      used += cost;
    } else if (index === 0) {
      // The most relevant file (the loop) is always shown: cut, when not even it fits.
      const keep = Math.max(0, room - section(file, "").length - 40);
      parts.push(section(file, `${text.slice(0, keep)}\n… (cut: ${text.length - keep} more characters)`));
      used = room;
    } else {
      omitted.push(file);
    }
  }
  if (omitted.length) parts.push(omittedLine(omitted));
  return { text: parts.join("\n\n"), included, omitted };
}

/** The scaffold's code as text (see scaffoldCode). */
export async function scaffoldSummary(dir: string, budget: number, usedTools: readonly string[] = []): Promise<string> {
  return (await scaffoldCode(dir, budget, usedTools)).text;
}

const FIXED_ORDER = ["src/loop.ts", "src/prompts.ts", "src/context.ts", "src/settings.ts"];

function rankFiles(files: readonly string[], usedToolFiles: readonly string[]): string[] {
  const rank = (file: string): number => {
    if (file === "src/loop.ts") return 0;
    const tool = usedToolFiles.indexOf(file);
    if (tool >= 0) return 1 + tool / (usedToolFiles.length + 1);
    const fixed = FIXED_ORDER.indexOf(file);
    if (fixed >= 0) return 1 + fixed;
    return file.startsWith("src/") ? 5 : 6;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The files in src/tools/ that define the given tools (`name: "tool"`), in the order of the tools. */
function toolFiles(texts: ReadonlyMap<string, string>, tools: readonly string[]): string[] {
  const found: string[] = [];
  for (const tool of tools) {
    const pattern = new RegExp(`name\\s*:\\s*["'\`]${escapeRegExp(tool)}["'\`]`);
    for (const [file, text] of texts) {
      if (file.startsWith("src/tools/") && !found.includes(file) && pattern.test(text)) found.push(file);
    }
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

type TrajectoryRecord = Record<string, unknown>;

async function readTrajectory(trajectory: string): Promise<TrajectoryRecord[]> {
  const records: TrajectoryRecord[] = [];
  for (const line of (await fs.readFile(trajectory, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    try {
      const record: unknown = JSON.parse(line);
      if (typeof record === "object" && record !== null && !Array.isArray(record)) records.push(record as TrajectoryRecord);
    } catch {
      // A cut-off last line: skip it.
    }
  }
  return records;
}

/** The tools the run called, most called first (ties: first called first). */
function toolsCalled(records: readonly TrajectoryRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (record.type === "tool-call" && typeof record.name === "string") counts.set(record.name, (counts.get(record.name) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
}

/** The run as a short log: each tool call and result, then how it ended and the test output. */
export async function runSummary(trajectory: string, budget: number): Promise<string> {
  return summarizeRun(await readTrajectory(trajectory), budget);
}

function summarizeRun(records: readonly TrajectoryRecord[], budget: number): string {
  const out: string[] = [];
  for (const record of records) {
    if (record.type === "tool-call") out.push(`call ${record.name} ${JSON.stringify(record.arguments).slice(0, 200)}`);
    else if (record.type === "tool-result") out.push(`  → ${record.ok ? "ok" : "error"}: ${compactTestOutput(String(record.output)).slice(0, 300)}`);
    else if (record.type === "end") {
      const result = record.result as { stopReason: string; test?: { output?: string } | null };
      out.push(`ended: ${result.stopReason}`, `test output:\n${compactTestOutput(result.test?.output ?? "(none)").slice(-1500)}`);
    }
  }
  const text = out.join("\n");
  return text.length > budget ? `…${text.slice(-Math.max(0, budget - 1))}` : text;
}

/**
 * Test output without what tells a reader nothing and changes from run to run: timings, TAP's
 * location/type lines, stack frames inside Node itself, and the run's folder in paths — a scratch
 * folder or the sandbox the hidden tests ran in (so `file:///tmp/clade-score-x1/test/a.test.mjs:6:10`
 * and `/tmp/clade-sandboxes/t1-x-Ab12Cd/work/test/a.test.mjs:6:10` read `test/a.test.mjs:6:10`).
 */
export function compactTestOutput(output: string): string {
  const scratch = new RegExp(`(?:file://)?${escapeRegExp(os.tmpdir())}/clade-(?:sandboxes/[^/\\s]+/work|[^/\\s]+)/`, "g");
  return output
    .split("\n")
    .filter((line) => !/^\s*(duration_ms|location|type|failureType):/.test(line) && !/^# (duration_ms|cancelled|skipped|todo|suites) /.test(line) && !/\(?node:[\w/]+:\d+:\d+\)?\s*$/.test(line))
    .join("\n")
    .replace(scratch, "");
}
