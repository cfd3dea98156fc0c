// `clade evolve` through REAL inference (a generated chat model): the whole loop — probe runs,
// diagnosis, self-edit, validation gate, evaluation — for a few iterations, then the archive
// commands on the result. Random weights make every edit worthless; what must hold is that the
// loop runs, records every outcome with its reason, and the archive stays consistent.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { EvolveResult } from "../../extension/protocol/engine";
import { parseJson, runCli } from "../helpers/cli";
import { generatedModel } from "../helpers/models";

const workspace = mkdtempSync(path.join(os.tmpdir(), "clade-evolve-real-"));

describe("clade evolve through real inference", () => {
  it("runs diagnose → self-edit → validate → evaluate and records every outcome", async () => {
    const model = (await generatedModel()).file;
    const args = ["evolve", "--workspace", workspace, "--model", model, "--threads", "1", "--strategy", "hgm", "--budget-evals", "6", "--budget-expansions", "3", "--max-turns", "2", "--gate-tasks", "1", "--json", "--verbose"];
    const result = await runCli(args, { timeoutMs: 170_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<EvolveResult>(result);
    console.log(`[clade evolve, generated model] ${JSON.stringify(summary)}`);
    expect(["budget", "expansion-budget", "nothing-to-do"]).toContain(summary.stopReason);
    expect(summary.evaluationsDone).toBeGreaterThanOrEqual(1);

    const events = readFileSync(path.join(workspace, ".clade", "archive.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const started = events.filter((e) => e.type === "expansion-started");
    expect(started.length).toBeGreaterThanOrEqual(2);
    // Every expansion ended: as a node (working or invalid, with its reason) or as a failure with its reason.
    for (const expansion of started) {
      const node = events.find((e) => e.type === "node-created" && e.expansionId === expansion.expansionId);
      const failed = events.find((e) => e.type === "expansion-finished" && e.expansionId === expansion.expansionId);
      expect(Boolean(node) || Boolean(failed), `expansion ${expansion.expansionId} has no outcome`).toBe(true);
      if (node?.status === "invalid") expect(node.reason).toMatch(/gate \((build|unit-tests|t0)\)/);
      if (failed) expect(failed.reason.length).toBeGreaterThan(5);
    }
    // Each finished step is an info line of the engine log (what VS Code's Clade log shows), with the gate's verdict.
    const logged = result.stderr.split("\n").filter((line) => line.startsWith("[engine:info] session s0: "));
    expect(logged.length).toBeGreaterThanOrEqual(started.length);
    expect(logged.filter((line) => /expansion of n\d+: (failed \(.+\)|n\d+ )/.test(line)).length).toBe(started.length);
    // And each job is announced when it starts (an expansion can take minutes before it reports).
    expect(logged.filter((line) => /started: expansion of n\d+/.test(line)).length).toBe(started.length);
    // Diagnoses and self-edits went through the model (their tokens are in the events).
    expect(events.some((e) => e.type === "evaluation-finished" && e.tokens.completionTokens > 0)).toBe(true);
  });

  it("shows the tree, and accept/revert change the active version and are recorded", async () => {
    const tree = parseJson<{ nodes: { id: string; status: string; statusReason: string | null }[]; active: string | null }>(await runCli(["archive", "--workspace", workspace, "--json"]));
    expect(tree.nodes[0].id).toBe("n0");
    for (const node of tree.nodes.filter((n) => n.status === "invalid")) expect(node.statusReason).toBeTruthy();
    const accepted = await runCli(["accept", "n0", "--workspace", workspace, "--json"]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(parseJson<{ active: string | null }>(await runCli(["archive", "--workspace", workspace, "--json"])).active).toBe("n0");
    const reverted = parseJson<{ reverted: string; active: string | null }>(await runCli(["revert", "n0", "--workspace", workspace, "--json"]));
    expect(reverted).toEqual({ reverted: "n0", active: null });
    const log = readFileSync(path.join(workspace, ".clade", "archive.jsonl"), "utf8");
    expect(log).toContain('"type":"node-accepted"');
    expect(log).toContain('"type":"node-reverted"');
    const missing = await runCli(["show", "n999", "--workspace", workspace, "--json"]);
    expect(missing.code).toBe(1);
    expect(parseJson<{ error: { fix: string } }>(missing).error.fix.length).toBeGreaterThan(5);
  });
});
