// A synthetic archive.jsonl of any size, written directly (no git commits), for the `archive`
// benchmark and tests of replay speed: a random tree (parents before children), ~20% invalid
// children, a few evaluations per working node (started + finished), expansions, accepts.
import { promises as fs } from "node:fs";
import { createRng } from "../search/rng";
import { stampEvent, type NewArchiveEvent } from "./events";

export interface SyntheticLogOptions {
  readonly nodes: number;
  /** Mean finished evaluations per node, invalid nodes included (default 5). */
  readonly evaluationsPerNode?: number;
  readonly tasks?: number;
  readonly seed?: number;
}

export interface SyntheticLogInfo {
  readonly events: number;
  readonly bytes: number;
  readonly nodes: number;
  readonly evaluations: number;
}

/** A fake object id / file hash of git's and sha256's lengths. */
const fakeHash = (n: number, length: number): string => (n.toString(16).padStart(8, "0") + "5eed".repeat(16)).slice(0, length);

/** A diagnosis of the size a small model writes (DGM's five fields). */
const DIAGNOSIS = {
  log_summarization: "The agent read the wrong file first, then edited the test instead of the source, and stopped after the turn limit.",
  potential_improvements: ["Read the failing test output before editing.", "Refuse edits to test files.", "Summarize long tool outputs."],
  improvement_proposal: "Make the edit tool refuse paths under test/ and tell the agent why.",
  implementation_suggestion: "In src/tools/editTools.ts, check the path against the test globs before writing.",
  problem_description: "The agent edits hidden-test files instead of the solution.",
};

const COST = { tokens: { promptTokens: 3000, cachedPromptTokens: 1000, completionTokens: 800 }, wallMs: 60_000 };
const RUN_TOKENS = { promptTokens: 2500, cachedPromptTokens: 2000, completionTokens: 400 };

export async function writeSyntheticLog(file: string, options: SyntheticLogOptions): Promise<SyntheticLogInfo> {
  const rng = createRng(options.seed ?? 1);
  // ~20% of nodes are invalid and never evaluated: working nodes take up the difference.
  const perWorkingNode = (options.evaluationsPerNode ?? 5) / 0.8;
  const taskIds = Array.from({ length: options.tasks ?? 60 }, (_, i) => `t${i}`);
  const identity = { adapterHash: null, modelHash: fakeHash(0xa11ce, 64), taskSetHash: fakeHash(0x7a5c, 64), seed: 1 };
  const lines: string[] = [];
  const push = (event: NewArchiveEvent) => lines.push(JSON.stringify(stampEvent(event, new Date(1_700_000_000_000 + lines.length * 1000).toISOString())));
  push({ type: "archive-created", format: "clade-archive" });
  const config = { suite: "builtin", taskSetHash: identity.taskSetHash, taskIds, modelHash: identity.modelHash, strategy: "hgm" as const, seed: 1, budgets: { evaluations: options.nodes * 10 } };
  push({ type: "session-started", sessionId: "s0", resumes: null, config });
  const working: string[] = [];
  let evaluations = 0;
  let active: string | null = null;
  let acceptAt = 999;
  for (let i = 0; i < options.nodes; i++) {
    const nodeId = `n${i}`;
    const parentId = i === 0 ? null : working[rng.int(working.length)];
    const invalid = i > 0 && rng.next() < 0.2;
    const expansionId = parentId === null ? null : `x${i - 1}`;
    if (parentId !== null) push({ type: "expansion-started", expansionId: `x${i - 1}`, parentId });
    const sha = fakeHash(i, 40);
    const origin = parentId === null
      ? { kind: "seed" as const, targetTask: null, diagnosis: null, problemStatement: null }
      : { kind: "self-edit" as const, targetTask: taskIds[rng.int(taskIds.length)], diagnosis: DIAGNOSIS, problemStatement: `${DIAGNOSIS.problem_description}\n\n${DIAGNOSIS.implementation_suggestion}` };
    push({
      type: "node-created", nodeId, parentId, commit: sha, tree: sha, identity: { scaffoldCommit: sha, ...identity }, origin,
      status: invalid ? "invalid" : "pending", reason: invalid ? "did not build" : null, expansionId, cost: parentId === null ? null : COST,
    });
    if (invalid) continue;
    working.push(nodeId);
    const count = Math.min(taskIds.length, Math.max(0, Math.round(perWorkingNode + (rng.next() - 0.5) * 4)));
    for (let k = 0; k < count; k++) {
      const taskId = taskIds[(i + k) % taskIds.length];
      const runId = `${nodeId}-${taskId}`;
      push({ type: "evaluation-started", nodeId, taskId, runId });
      const trajectory = `/workspace/.clade/runs/${nodeId}/${taskId}.jsonl`;
      push({ type: "evaluation-finished", nodeId, taskId, runId, passed: rng.next() < 0.4, tokens: RUN_TOKENS, wallMs: 20_000, modelMs: 15_000, turns: 6, stopReason: "finished", trajectory });
    }
    evaluations += count;
    // About every 1000 nodes a person accepts the newest working version.
    if (i >= acceptAt) {
      push({ type: "node-accepted", nodeId, previous: active });
      active = nodeId;
      acceptAt += 1000;
    }
  }
  const text = lines.join("\n") + "\n";
  await fs.writeFile(file, text);
  return { events: lines.length, bytes: Buffer.byteLength(text), nodes: options.nodes, evaluations };
}
