// What an ask changed: the agent's finished copy of the workspace against the snapshot it started
// from, file by file, as a unified diff (jsdiff) and as whole before/after contents kept in the
// ask's folder, so that applying it later can tell the user's own edits made meanwhile from the
// state the agent saw, and never overwrite them.
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { CladeError } from "../../protocol/errors";
import { planApply, type PlannedFile } from "./applyPlan";
import { listTreeFiles, sha256 } from "./workspaceSnapshot";

export interface FileChange {
  path: string;
  kind: "added" | "modified" | "deleted";
  /** sha256 of the file the agent started from (absent for an added file). */
  before?: string;
  /** sha256 of the agent's file (absent for a deleted one). */
  after?: string;
  binary: boolean;
  /** Lines added and removed (0 for binary files). */
  added: number;
  removed: number;
}

export interface WorkspaceChange {
  files: FileChange[];
  /** A git-style unified diff of every text file (binary files are named, not shown). */
  patch: string;
}

/** Control characters, bidi overrides and the replacement glyph: a path holding one is refused (it could hide what it is). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_PATH = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/;

/**
 * Compares `afterDir` with `beforeDir` (the snapshot) and copies each changed file's two versions
 * into `keepDir`/before and `keepDir`/after.
 */
export async function diffWorkspace(beforeDir: string, afterDir: string, keepDir: string): Promise<WorkspaceChange> {
  const before = new Set(await listTreeFiles(beforeDir));
  const after = new Set(await listTreeFiles(afterDir));
  const files: FileChange[] = [];
  const patches: string[] = [];
  for (const rel of [...new Set([...before, ...after])].sort()) {
    const a = before.has(rel) ? await fs.readFile(path.join(beforeDir, rel)) : undefined;
    const b = after.has(rel) ? await fs.readFile(path.join(afterDir, rel)) : undefined;
    if (a && b && a.equals(b)) continue;
    if (UNSAFE_PATH.test(rel)) {
      throw new CladeError("invalid-argument", `The agent made a file whose name holds control or invisible characters (${JSON.stringify(rel)}).`, "Discard this ask; such a name is never written to your workspace.");
    }
    const binary = isBinary(a) || isBinary(b);
    const change: FileChange = { path: rel, kind: !a ? "added" : !b ? "deleted" : "modified", ...(a ? { before: sha256(a) } : {}), ...(b ? { after: sha256(b) } : {}), binary, added: 0, removed: 0 };
    if (a) await keep(path.join(keepDir, "before", rel), a);
    if (b) await keep(path.join(keepDir, "after", rel), b);
    if (binary) patches.push(`diff --git a/${rel} b/${rel}\nBinary files ${a ? `a/${rel}` : "/dev/null"} and ${b ? `b/${rel}` : "/dev/null"} differ\n`);
    else {
      const text = createTwoFilesPatch(a ? `a/${rel}` : "/dev/null", b ? `b/${rel}` : "/dev/null", a?.toString("utf8") ?? "", b?.toString("utf8") ?? "", undefined, undefined, { context: 3 });
      // jsdiff starts with a "====" rule; git's header instead, so `git apply` takes it.
      const lines = text.split("\n");
      const body = lines.slice(lines.findIndex((line) => line.startsWith("--- "))).join("\n");
      for (const line of body.split("\n")) {
        if (line.startsWith("+") && !line.startsWith("+++")) change.added++;
        else if (line.startsWith("-") && !line.startsWith("---")) change.removed++;
      }
      patches.push(`diff --git a/${rel} b/${rel}\n${!a ? "new file mode 100644\n" : !b ? "deleted file mode 100644\n" : ""}${body}`);
    }
    files.push(change);
  }
  return { files, patch: patches.join("") };
}

export type ApplyResult =
  | { ok: true; written: string[]; deleted: string[] }
  | { ok: false; conflicts: { path: string; why: string }[] };

/**
 * Writes an ask's change into the workspace, all or nothing (applyPlan.ts decides, on content
 * hashes): a file the user changed meanwhile is a conflict, and then nothing is written.
 */
export async function applyChange(workspace: string, keepDir: string, change: WorkspaceChange): Promise<ApplyResult> {
  const files: PlannedFile[] = [];
  for (const file of change.files) {
    const target = path.join(workspace, file.path);
    files.push({ path: file.path, before: file.before, after: file.after, current: existsSync(target) ? sha256(await fs.readFile(target)) : undefined });
  }
  const plan = planApply(files);
  if (!plan.ok) return plan;
  for (const file of plan.remove) await fs.rm(path.join(workspace, file.path), { force: true });
  for (const file of [...plan.create, ...plan.replace]) {
    const target = path.join(workspace, file.path);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.clade-apply-${process.pid}`;
    await fs.copyFile(path.join(keepDir, "after", file.path), temp);
    await fs.rename(temp, target);
  }
  return { ok: true, written: [...plan.create, ...plan.replace].map((f) => f.path).sort(), deleted: plan.remove.map((f) => f.path) };
}

async function keep(file: string, data: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

function isBinary(data: Buffer | undefined): boolean {
  return data !== undefined && data.subarray(0, 8000).includes(0);
}
