// Markdown for review documents: a version's details (identity, origin, diagnosis, results per task
// with test output) and a run's trajectory (turns, model replies, tool calls, results, test output).
// Pure (no `vscode` import). Anything from the repo or the model goes into fenced blocks.
import { markedPath } from "../../protocol/displayText";
import type { NodeDetails } from "../../protocol/archive";
import { formatScore, shortHash } from "./archivePresentation";

/** A fenced block that the content cannot close (longer fence than any backtick run inside). */
export function fence(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = "`".repeat(longest + 1);
  return `${marks}${lang}\n${text.replace(/\s+$/, "")}\n${marks}`;
}

/** Inline text in a table cell or heading: no pipes, newlines or markup. */
export function cell(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/([|\\`*_[\]<>#])/g, "\\$1");
}

/** Inline code (ids, paths, names): one line, no backticks; pipes escaped for tables (GFM). */
export function code(text: string): string {
  return `\`${text.replace(/[\r\n]+/g, " ").replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

export function nodeDetailsMarkdown(details: NodeDetails): string {
  const s = details.summary;
  const lines = [
    `# Version ${s.id}${s.active ? " (active)" : ""}`, "",
    "| | |", "|---|---|",
    `| Status | ${cell(s.reverted ? `reverted (${s.status})` : s.status)}${s.statusReason ? ` — ${cell(s.statusReason)}` : ""} |`,
    `| Score | ${formatScore(s)} |`,
    `| Parent | ${s.parentId ?? "— (root)"} |`,
    `| Origin | ${s.origin}${s.targetTask ? ` for task ${code(s.targetTask)}` : ""} |`,
    `| Commit | \`${shortHash(details.commit)}\` |`,
    `| Model | \`${shortHash(details.identity.modelHash)}\` |`,
    `| Adapter | ${details.identity.adapterHash ? `\`${shortHash(details.identity.adapterHash)}\`` : "none"} |`,
    `| Task set | \`${shortHash(details.identity.taskSetHash)}\` |`,
    `| Seed | ${details.identity.seed} |`,
    `| Tokens | ${s.tokens.toLocaleString("en-US")}${details.cost ? ` (making it: ${(details.cost.tokens.promptTokens + details.cost.tokens.completionTokens).toLocaleString("en-US")}, ${(details.cost.wallMs / 1000).toFixed(1)} s)` : ""} |`,
    "",
  ];
  if (details.diagnosis) lines.push("## Diagnosis", "", fence(JSON.stringify(details.diagnosis, null, 2), "json"), "");
  if (details.problemStatement) lines.push("## Problem statement given to the parent", "", fence(details.problemStatement), "");
  if (details.otherRuns?.length) {
    lines.push("## Runs outside sessions", "", "Run Active Agent on a Task, Evaluate on Suite, `clade run`: kept with the version, not part of its score.", "");
    lines.push("| Suite | Task | Result | Stop | Turns | Tokens | Time | When |", "|---|---|---|---|---|---|---|---|");
    for (const r of details.otherRuns) {
      lines.push(`| ${cell(r.suite)} | ${cell(r.taskId)} | ${r.passed ? "✅ pass" : "❌ fail"} | ${cell(r.stopReason)} | ${r.turns} | ${(r.tokens.promptTokens + r.tokens.completionTokens).toLocaleString("en-US")} | ${(r.wallMs / 1000).toFixed(1)} s | ${cell(r.at.slice(0, 19).replace("T", " "))} |`);
    }
    lines.push("");
  }
  if (details.failures?.length) {
    lines.push("## Failures by signature", "", "Failed runs grouped by what failed (failing tests, error class, stop reason), worst failure rate first — what `clade train --recipe targeted` trains against.", "");
    lines.push("| Signature | Failed | Rate | Tasks |", "|---|---|---|---|");
    for (const c of details.failures) lines.push(`| ${cell(c.signature)} | ${c.failures} of ${c.runs} | ${Math.round(100 * c.failureRate)}% | ${cell(c.tasks.join(", "))} |`);
    lines.push("");
  }
  lines.push("## Results per task", "");
  if (!details.results.length) lines.push("No finished evaluations yet.", "");
  else {
    lines.push("| Task | Result | Stop | Turns | Tokens | Time | Run |", "|---|---|---|---|---|---|---|");
    for (const r of details.results) {
      lines.push(`| ${cell(r.taskId)} | ${r.passed ? "✅ pass" : "❌ fail"} | ${cell(r.stopReason)} | ${r.turns} | ${(r.tokens.promptTokens + r.tokens.completionTokens).toLocaleString("en-US")} | ${(r.wallMs / 1000).toFixed(1)} s | ${code(r.runId)} |`);
    }
    lines.push("");
    for (const r of details.results) {
      lines.push(`### ${cell(r.taskId)} — ${r.passed ? "pass" : "fail"} (${code(r.runId)})`, "");
      if (r.summary) lines.push(`Agent's summary: ${cell(r.summary)}`, "");
      if (r.test) lines.push(`Test exit code ${r.test.exitCode ?? "none"}${r.test.timedOut ? " (timed out)" : ""}:`, "", fence(r.test.output || "(no output)"), "");
      else lines.push("No test output recorded.", "");
    }
  }
  lines.push(`## Files (${details.files.length})`, "", ...details.files.map((f) => `- ${code(markedPath(f))}`), "");
  return lines.join("\n");
}

type Record = { type?: string } & { [key: string]: unknown };

const MAX_BLOCK = 4000;
const clip = (text: string) => (text.length > MAX_BLOCK ? `${text.slice(0, MAX_BLOCK)}\n… (${text.length - MAX_BLOCK} more characters)` : text);
const str = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2) ?? "");

/** Renders trajectory JSONL as a readable document; unparseable lines are reported, not dropped. */
export function trajectoryMarkdown(jsonl: string, title: string): string {
  const out = [`# Trajectory ${cell(title)}`, ""];
  let llmCalls = 0;
  for (const [i, line] of jsonl.split("\n").entries()) {
    if (!line.trim()) continue;
    let r: Record;
    try {
      r = JSON.parse(line) as Record;
    } catch {
      out.push(`> line ${i + 1} is not valid JSON (a torn write?)`, "");
      continue;
    }
    out.push(...renderRecord(r, () => ++llmCalls));
  }
  return out.join("\n");
}

function renderRecord(r: Record, nextCall: () => number): string[] {
  switch (r.type) {
    case "start": {
      const task = (r.task ?? {}) as { id?: string; instructions?: string };
      return [`## Task ${code(String(task.id ?? "?"))} (version ${cell(String(r.versionId ?? "?"))})`, "", fence(clip(str(task.instructions ?? ""))), ""];
    }
    case "llm": {
      const result = (r.result ?? {}) as { text?: string; toolCalls?: { name: string; arguments: unknown }[]; usage?: { promptTokens: number; completionTokens: number } };
      const head = `### Model call ${nextCall()} (${Number(r.ms ?? 0)} ms${result.usage ? `, ${result.usage.promptTokens} → ${result.usage.completionTokens} tokens` : ""})`;
      const body = r.error ? [`Error: ${cell(str(r.error))}`] : [result.text ? fence(clip(result.text)) : "_(no text)_", ...(result.toolCalls ?? []).map((c) => `- calls ${code(c.name)} ${code(JSON.stringify(c.arguments).slice(0, 300))}`)];
      return [head, "", ...body, ""];
    }
    case "tool-call":
      return [`**Turn ${Number(r.turn)}: tool call ${code(String(r.name))}**`, "", fence(clip(str(r.arguments)), "json"), ""];
    case "tool-result":
      return [`**Turn ${Number(r.turn)}: ${cell(String(r.name))} ${r.ok ? "succeeded" : "failed"}**`, "", fence(clip(str(r.output))), ""];
    case "note":
      return [`_Note (turn ${Number(r.turn)}): ${cell(str(r.text))}_`, ""];
    case "exec": {
      const result = (r.result ?? {}) as { exitCode?: number | null; output?: string };
      return [`**Command** ${code(str(r.command))} → exit ${result.exitCode ?? "none"}`, "", fence(clip(result.output ?? "")), ""];
    }
    case "end": {
      const result = (r.result ?? {}) as { passed?: boolean; stopReason?: string; turns?: number; test?: { exitCode: number | null; output: string } | null };
      const lines = [`## Outcome: ${result.passed ? "✅ passed" : "❌ failed"} (${cell(String(result.stopReason))}, ${result.turns ?? 0} turns)`, ""];
      if (result.test) lines.push(`Hidden tests, exit code ${result.test.exitCode ?? "none"}:`, "", fence(clip(result.test.output)), "");
      return lines;
    }
    default:
      return [`_${cell(String(r.type))}_`, "", fence(clip(str(r)), "json"), ""];
  }
}
