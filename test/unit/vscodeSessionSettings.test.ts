// Pure VS Code-layer logic for sessions: settings + quick-pick choices → evolve parameters (with
// typed errors naming the setting), the untrusted-workspace refusal, and the Sessions view rows.
import { describe, expect, it } from "vitest";
import type { ArchiveTree } from "../../extension/protocol/archive";
import { CladeError } from "../../extension/protocol/errors";
import { sessionRows } from "../../extension/vscode/session/sessionPresentation";
import { budgetPrompt, formatElapsed, requireTrusted, sessionParams } from "../../extension/vscode/session/sessionSettings";
import { statusPresentation } from "../../extension/vscode/status/statusPresentation";

describe("sessionParams", () => {
  it("uses defaults, and choices override settings", () => {
    const p = sessionParams({}, {}, "/ws", true);
    expect(p).toMatchObject({ workspace: "/ws", suite: "builtin", strategy: "hgm", budgetEvaluations: 20, parallel: 1, seed: 0, isolation: "auto", trusted: true });
    expect(p.gateTasks).toBeUndefined();
    expect(p.limits).toBeUndefined();
    const q = sessionParams({ strategy: "dgm", budgetEvaluations: 5, gateTasks: 1, maxTurns: 2, timeoutSeconds: 30, budgetMinutes: 2, testCommand: " npm test ", sandbox: "bwrap" }, { suite: "repo:/ws", parallel: 2 }, "/ws", true);
    expect(q).toMatchObject({ suite: "repo:/ws", strategy: "dgm", budgetEvaluations: 5, parallel: 2, gateTasks: 1, budgetWallMs: 120_000, testCommand: "npm test", isolation: "bwrap", limits: { maxTurns: 2, timeoutMs: 30_000 } });
  });

  it("refuses invalid settings with the setting named", () => {
    const bad = (raw: Record<string, unknown>, setting: string) => {
      try {
        sessionParams(raw, {}, "/ws", true);
        throw new Error("accepted");
      } catch (error) {
        expect(CladeError.is(error, "invalid-settings")).toBe(true);
        expect((error as CladeError).details?.setting).toBe(setting);
      }
    };
    bad({ strategy: "best" }, "clade.session.strategy");
    bad({ budgetEvaluations: 0 }, "clade.session.budgetEvaluations");
    bad({ parallel: 1.5 }, "clade.session.parallel");
    bad({ sandbox: "docker" }, "clade.sandbox.mode");
    bad({ maxTurns: -1 }, "clade.agent.maxTurns");
  });

  it("refuses in an untrusted workspace with the untrusted-workspace reason", () => {
    expect(() => requireTrusted(false, "Starting a session")).toThrow(expect.objectContaining({ reason: "untrusted-workspace" }));
    expect(() => requireTrusted(true, "Starting a session")).not.toThrow();
  });

  it("formats elapsed time", () => {
    expect(formatElapsed(5_400)).toBe("5s");
    expect(formatElapsed(125_000)).toBe("2m 5s");
    expect(formatElapsed(3_900_000)).toBe("1h 5m");
  });
});

describe("the wizard's budget and time limit (issue 15.3)", () => {
  it("says what the budget bounds, with an estimate from the archive's own runs when there are any", () => {
    expect(budgetPrompt(undefined)).toMatch(/^Task runs to spend: each version's evaluations and the gate's runs.*No runs yet/);
    expect(budgetPrompt({ evaluations: 12, wallMs: 36_000 })).toMatch(/≈ 3\.0 s per run, so 20 runs ≈ 1 min\.$/);
    expect(budgetPrompt({ evaluations: 10, wallMs: 1_800_000 })).toMatch(/≈ 180 s per run, so 20 runs ≈ 60 min\.$/);
  });
  it("a time limit chosen in the wizard overrides the setting; 0 means none", () => {
    expect(sessionParams({ budgetMinutes: 30 }, { budgetMinutes: 5 }, "/ws", true).budgetWallMs).toBe(300_000);
    expect(sessionParams({ budgetMinutes: 30 }, { budgetMinutes: 0 }, "/ws", true).budgetWallMs).toBeUndefined();
    expect(sessionParams({ budgetMinutes: 30 }, {}, "/ws", true).budgetWallMs).toBe(1_800_000);
  });
});

describe("Sessions view rows and status bar", () => {
  const tree = (): ArchiveTree => ({
    workspace: "/ws", exists: true, active: null, best: "n1", running: true, lastActivation: null, asks: [],
    nodes: [{ id: "n1", parentId: "n0", status: "evaluated", statusReason: null, origin: "self-edit", targetTask: null, passed: 2, evaluated: 3, score: 2 / 3, active: false, reverted: false, running: 0, modelHash: "m", adapterHash: null, seed: 0, tokens: 10, createdAt: "" }],
    session: { id: "s1", suite: "builtin", strategy: "hgm", seed: 0, budget: 8, resumes: "s0", startedAt: "" },
    sessions: [{ id: "s0", suite: "builtin", strategy: "hgm", seed: 0, budget: 8, resumes: null, startedAt: "" }, { id: "s1", suite: "builtin", strategy: "hgm", seed: 0, budget: 8, resumes: "s0", startedAt: "" }],
    usage: { evaluations: 3, expansions: 1, tokens: 4567, wallMs: 0 }, budget: { total: 8, used: 3 },
  });

  it("shows the live session with evaluations/budget, best, tokens, elapsed, then past sessions newest first", () => {
    const params = sessionParams({}, { budgetEvaluations: 8 }, "/ws", true);
    const rows = sessionRows({ params, startedAt: 1000, state: "running", progress: { done: 3, total: 8, message: "evaluating n1" } }, tree(), 66_000);
    expect(rows[0].description).toBe("running");
    const live = Object.fromEntries(rows[0].children!.map((c) => [c.label, c.description]));
    // "Budget" (was "Evaluations"): the budget is spent by evaluations and gate runs alike.
    expect(live).toMatchObject({ Budget: "3 / 8", Best: "n1 · 2/3", Tokens: "4,567", Elapsed: "1m 5s", Now: "evaluating n1" });
    const result = { sessionId: "s1", stopReason: "budget", evaluationsDone: 5, gateRuns: 3, budget: 8, tokens: 10, elapsedMs: 1000, best: null };
    const finished = sessionRows({ params, startedAt: 1000, state: "finished", result }, tree(), 66_000);
    expect(finished[0].children!.find((c) => c.label === "Budget")?.description).toBe("8 / 8 (3 gate runs)");
    expect(rows.slice(1).map((r) => r.label)).toEqual(["s1: hgm on builtin", "s0: hgm on builtin"]);
    expect(rows[1].description).toBe("budget 8 · resumes s0");
    expect(sessionRows(undefined, undefined, 0)).toEqual([]);
  });

  it("the status bar leaves a running session's progress to its notification (one progress, not two)", () => {
    const shown = statusPresentation({ engine: "running", model: { state: "ready" }, modelConfigured: true, session: { done: 3, total: 8, best: "n1" } });
    expect(shown.text).not.toContain("3/8");
    expect(shown.tooltip).toContain("3 of 8 evaluations, best version n1");
  });
});
