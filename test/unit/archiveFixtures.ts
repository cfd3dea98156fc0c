// Shared setup for the archive tests: temp workspaces, a session config, copies of the seed agent,
// and RunResult-shaped evaluation inputs.
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Archive, type EvaluationInput, type NodeOrigin, type SessionConfig } from "../../extension/engine/archive";
import { seedAgentDir } from "../../extension/engine/resources";

export const TASKS = ["t-add", "t-sub", "t-mul", "t-div"];

export const CONFIG: SessionConfig = {
  suite: "builtin",
  taskSetHash: "a".repeat(64),
  taskIds: TASKS,
  modelHash: "b".repeat(64),
  strategy: "hgm",
  seed: 7,
  budgets: { evaluations: 100 },
};

export const SEED_ORIGIN: NodeOrigin = { kind: "seed", targetTask: null, diagnosis: null, problemStatement: null };

export function editOrigin(task: string, problem = `Fix the failure on ${task}.`): NodeOrigin {
  return { kind: "self-edit", targetTask: task, diagnosis: { improvement_proposal: problem, potential_improvements: ["a", "b"] }, problemStatement: problem };
}

const made: string[] = [];

export async function tempDir(prefix = "clade-archive-test-"): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
}

/** A copy of the seed agent, with `edits` applied (null deletes a file). */
export async function seedCopy(edits: Record<string, string | null> = {}): Promise<string> {
  const dir = await tempDir("clade-scaffold-");
  await fs.cp(seedAgentDir(), dir, { recursive: true });
  for (const [file, content] of Object.entries(edits)) {
    const full = path.join(dir, file);
    if (content === null) await fs.rm(full);
    else {
      await fs.mkdir(path.dirname(full), { recursive: true });
      await fs.writeFile(full, content);
    }
  }
  return dir;
}

/** A new workspace with an archive, a session, and the seed agent as root n0. */
export async function seededArchive(): Promise<{ archive: Archive; workspace: string }> {
  const workspace = await tempDir();
  const archive = await Archive.open(workspace, { create: true });
  await archive.startSession(CONFIG);
  await archive.addNode(null, seedAgentDir(), { origin: SEED_ORIGIN });
  return { archive, workspace };
}

export function run(runId: string, taskId: string, passed: boolean, tokens = 100, wallMs = 1000): EvaluationInput {
  return {
    runId, taskId, passed, wallMs, modelMs: wallMs / 2, turns: 3, stopReason: "finished",
    usage: { promptTokens: tokens, cachedPromptTokens: tokens / 2, completionTokens: tokens / 10 },
    trajectory: `/tmp/runs/${runId}.jsonl`,
  };
}
