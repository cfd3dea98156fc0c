// Crash suite: SIGKILL a scripted session at ≥ 50 random points and resume it each time; kill an
// agent process and the LoRA trainer mid-run; corrupt the event log (torn line, garbage line,
// truncated file) and the archive repository (a missing object) and check that `clade archive
// check` reports it and `clade archive repair` keeps everything valid; fill the disk under an
// archive (a tmpfs) and check the error is clear and nothing is corrupted.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Archive } from "../../extension/engine/archive/archive";
import { createRng } from "../../extension/engine/search/rng";
import { diskFullCase } from "./crashDiskFull";
import { agentKillCase, trainerKillCase } from "./crashKills";
import { SuiteReport } from "./suiteReport";
import { runSessionChild } from "../helpers/sessionChild";

const KILLS = Number(process.env.CLADE_CRASH_KILLS ?? 50);
const BUDGET = Number(process.env.CLADE_CRASH_BUDGET ?? 100);
const repoRoot = process.cwd();
const childScript = path.join(repoRoot, "test-output", "reliability", "sessionChild.mjs");
const cli = path.join(repoRoot, "dist", "cli.mjs");
const work = mkdtempSync(path.join(os.tmpdir(), "clade-reliability-crash-"));
const report = new SuiteReport("crash");

/** The session child on `workspace`, SIGKILLed after `killAfterMs` (null: let it finish). */
const runChild = (workspace: string, killAfterMs: number | null) => runSessionChild(childScript, [workspace, String(BUDGET)], killAfterMs);

const finishedSet = (archive: Archive) => new Set(archive.nodes().flatMap((n) => archive.results(n.id).map((r) => `${n.id} ${r.taskId} ${r.runId}`)));

/** Kills the session KILLS times at random points, resuming each time; returns the workspace. */
async function sessionKills(): Promise<string> {
  const workspace = mkdtempSync(path.join(work, "session-"));
  const rng = createRng(2027);
  const reported: string[] = [];
  let kills = 0;
  let lostAfterKill = 0;
  while (kills < KILLS) {
    const run = await runChild(workspace, 300 + Math.floor(rng.next() * 1500));
    reported.push(...run.done);
    if (run.finished) break;
    kills += 1;
    const archive = await Archive.open(workspace, { readOnly: true }).catch(() => null); // none yet if killed before it was created
    if (!archive) continue;
    const finished = finishedSet(archive);
    lostAfterKill += reported.filter((line) => !finished.has(line)).length;
    await archive.dispose();
  }
  const last = await runChild(workspace, null);
  reported.push(...last.done);
  const resumed = kills; // every kill was followed by a run that opened (resumed) the same archive
  const archive = await Archive.open(workspace, { readOnly: true });
  try {
    const nodes = archive.nodes();
    const ids = nodes.map((n) => n.id);
    const finished = finishedSet(archive);
    const lost = reported.filter((line) => !finished.has(line)).length;
    const twice = nodes.flatMap((n) => archive.results(n.id).map((r) => `${n.id}/${r.taskId}`)).filter((key, i, all) => all.indexOf(key) !== i);
    const duplicates = ids.length - new Set(ids).size + twice.length;
    const problems = await archive.check();
    const orderBad = nodes.filter((n) => n.parentId && ids.indexOf(n.parentId) > ids.indexOf(n.id)).length;
    const inconsistent = problems.filter((p) => p.severity === "error").length + orderBad > 0 ? 1 : 0;
    Object.assign(report.figures, { sessionKills: kills, sessionsResumed: last.finished ? resumed : resumed - 1, evaluationsReported: reported.length, evaluationsLost: lost + lostAfterKill, duplicateNodes: duplicates, inconsistentTrees: inconsistent, nodes: nodes.length });
    report.add(`SIGKILL the session at ${KILLS} random points, resume each time`, kills >= KILLS && last.finished, `${kills} kills, ${last.finished ? `the last run finished: ${last.summary}` : `the last run did not finish: ${last.output.slice(-300)}`}; ${nodes.length} versions, ${archive.searchBudget().used} evaluations`);
    report.add("no evaluation reported done was lost (checked after every kill and at the end)", lost + lostAfterKill === 0, `${reported.length} reported done, ${lost + lostAfterKill} missing`);
    report.add("no duplicate node or evaluation", duplicates === 0, `${duplicates} duplicates among ${nodes.length} nodes${twice.length ? ` (evaluated twice: ${twice.join(", ")})` : ""}`);
    report.add("the tree is consistent (archive check)", inconsistent === 0, problems.length ? problems.map((p) => p.message).join("; ") : "no problems");
  } finally {
    await archive.dispose();
  }
  return workspace;
}

function clade(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

async function counts(workspace: string): Promise<{ nodes: number; evaluations: Set<string> }> {
  const archive = await Archive.open(workspace, { readOnly: true });
  try {
    return { nodes: archive.nodes().length, evaluations: finishedSet(archive) };
  } finally {
    await archive.dispose();
  }
}

/** Copies the workspace, damages the copy, then runs check and repair through the real CLI. */
/** Evaluations in the complete lines of the log (what a repair must keep after a truncation). */
function finishedInCompleteLines(ws: string): number {
  const text = readFileSync(logOf(ws), "utf8");
  return text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter((l) => l.includes('"type":"evaluation-finished"')).length;
}

async function corruption(source: string, name: string, damage: (ws: string) => void, expect: { check: RegExp; keptAll: boolean }): Promise<void> {
  await report.attempt(name, async () => {
    const ws = mkdtempSync(path.join(work, "corrupt-"));
    cpSync(source, ws, { recursive: true });
    const original = await counts(ws);
    damage(ws);
    const salvageable = finishedInCompleteLines(ws);
    const check = clade("archive", "check", "--workspace", ws);
    const repair = clade("archive", "repair", "--workspace", ws, "--json");
    const repaired = JSON.parse(repair.out) as { after: { ok: boolean }; droppedLines: unknown[]; nodesMarkedInvalid: string[] };
    const after = await counts(ws);
    const recheck = clade("archive", "check", "--workspace", ws);
    const subset = [...after.evaluations].every((e) => original.evaluations.has(e));
    const kept = expect.keptAll ? after.evaluations.size === original.evaluations.size && after.nodes === original.nodes : after.evaluations.size === salvageable;
    const ok = expect.check.test(check.out) && repaired.after.ok && recheck.code === 0 && subset && kept;
    return { ok, detail: `kept ${after.nodes}/${original.nodes} versions and ${after.evaluations.size}/${original.evaluations.size} evaluations (${salvageable} in the intact lines); repair dropped ${repaired.droppedLines.length} line(s), marked ${repaired.nodesMarkedInvalid.length} version(s) invalid; check after repair: ${recheck.out.split("\n").at(-1)} — check before (exit ${check.code}): ${check.out.split("\n").slice(0, 2).join(" / ")}` };
  });
}

function logOf(ws: string): string {
  return path.join(ws, ".clade", "archive.jsonl");
}

const sessionWorkspace = await sessionKills();
await agentKillCase(report);
await trainerKillCase(report, work);

await corruption(sessionWorkspace, "event log: torn last line", (ws) => appendFileSync(logOf(ws), '{"v":1,"type":"evaluation-finished","nodeId":"n1","ta'), { check: /cut short/, keptAll: true });
await corruption(sessionWorkspace, "event log: garbage line in the middle", (ws) => {
  const lines = readFileSync(logOf(ws), "utf8").split("\n");
  lines.splice(Math.floor(lines.length / 2), 0, "\u0000\u0000garbage{{ not json");
  writeFileSync(logOf(ws), lines.join("\n"));
}, { check: /skipped/, keptAll: true });
await corruption(sessionWorkspace, "event log: truncated file (cut mid-line at 60%)", (ws) => {
  const size = readFileSync(logOf(ws)).length;
  truncateSync(logOf(ws), Math.floor(size * 0.6));
}, { check: /cut short/, keptAll: false });
await corruption(sessionWorkspace, "archive repository: a missing object (a blob of a self-edited version)", (ws) => {
  const gitDir = path.join(ws, ".clade", "agents.git");
  const branches = spawnSync("git", ["--git-dir", gitDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/node/"], { encoding: "utf8" }).stdout.trim().split("\n");
  const child = branches.find((b) => b !== "node/n0") ?? branches[0];
  const blob = spawnSync("git", ["--git-dir", gitDir, "rev-parse", `${child}:src/prompts.ts`], { encoding: "utf8" }).stdout.trim();
  unlinkSync(path.join(gitDir, "objects", blob.slice(0, 2), blob.slice(2)));
}, { check: /missing/, keptAll: true });

await diskFullCase(report, work);

// Crashes tried: every session kill, plus each other fault (agent kill, trainer kill, corruptions,
// disk full). A session kill counts as survived when all four session checks held.
const [session, others] = [report.cases.slice(0, 4), report.cases.slice(4)];
const kills = Number(report.figures.sessionKills ?? 0);
Object.assign(report.figures, { tried: kills + others.length, survived: (session.every((c) => c.ok) ? kills : 0) + others.filter((c) => c.ok).length });
report.print();
// Kept for inspection when something failed.
if (report.cases.every((c) => c.ok)) rmSync(work, { recursive: true, force: true });
else process.stderr.write(`[crash] workspaces kept in ${work}\n`);
