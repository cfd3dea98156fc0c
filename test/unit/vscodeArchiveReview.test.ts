// Pure VS Code-layer logic for the Archive view and review documents: status/icon/description/
// contextValue of a node, the parent index, and the Markdown renderers (fences that content cannot
// close, tables that content cannot break, trajectories with every record kind).
import { describe, expect, it } from "vitest";
import type { NodeDetails, NodeSummary } from "../../extension/protocol/archive";
import { bestNode } from "../../extension/engine/archive/archiveSummaries";
import { childrenIndex, displayStatus, nodePresentation } from "../../extension/vscode/archive/archivePresentation";
import { cell, fence, nodeDetailsMarkdown, trajectoryMarkdown } from "../../extension/vscode/archive/reviewMarkdown";

function node(over: Partial<NodeSummary> = {}): NodeSummary {
  return {
    id: "n1", parentId: "n0", status: "evaluated", statusReason: null, origin: "self-edit", targetTask: "t-add", passed: 2, evaluated: 3, score: 2 / 3,
    active: false, reverted: false, running: 0, modelHash: "m".repeat(64), adapterHash: null, seed: 7, tokens: 12345, createdAt: "2026-01-01T00:00:00Z", ...over,
  };
}

describe("bestNode (the engine's)", () => {
  it("is none while nothing has passed, else the highest score", () => {
    expect(bestNode([node({ id: "n0", parentId: null, passed: 0, evaluated: 1, score: 0 })])).toBeNull();
    expect(bestNode([node({ id: "n0", parentId: null, passed: 0, evaluated: 1, score: 0 }), node()])).toBe("n1");
  });
});

describe("nodePresentation", () => {
  it("shows score as description, marks best, and keys menus on flags", () => {
    const shown = nodePresentation(node(), "n1");
    expect(shown.description).toBe("67% (2/3) · best");
    expect(shown.icon).toBe("pass");
    expect(shown.contextValue.split(" ")).toEqual(expect.arrayContaining(["cladeNode", "evaluated", "hasParent", "hasRuns", "acceptable"]));
    expect(shown.tooltip).toContain("seed: 7");
    expect(shown.tooltip).toContain("tokens: 12,345");
    expect(shown.tooltip).toContain("adapter: none");
  });

  it("an evaluated version that passed nothing gets no green check; its user-task score is shown", () => {
    const shown = nodePresentation(node({ passed: 0, evaluated: 1, score: 0, userTasks: { asks: 3, applied: 2, appliedPassing: 1 } }), null);
    expect(shown.icon).toBe("circle-slash");
    expect(shown.description).toBe("0% (0/1) · your tasks 2/3");
    expect(shown.tooltip).toContain("your tasks: 2 of 3 asks applied, 1 with passing tests");
  });

  it("status: active over reverted over the archive status; invalid and active are not acceptable", () => {
    expect(displayStatus(node({ active: true, reverted: true }))).toBe("active");
    expect(displayStatus(node({ reverted: true }))).toBe("reverted");
    expect(displayStatus(node({ status: "pending", evaluated: 0, score: null }))).toBe("pending");
    const invalid = nodePresentation(node({ status: "invalid", evaluated: 0, passed: 0, score: null, statusReason: "gate (t0): 0 of 1\nmore" }), null);
    expect(invalid.icon).toBe("error");
    expect(invalid.description).toBe("invalid");
    expect(invalid.contextValue).not.toContain("acceptable");
    expect(invalid.tooltip.split("\n")[0]).toBe("n1 — invalid: gate (t0): 0 of 1");
    const active = nodePresentation(node({ active: true }), null);
    expect(active.contextValue).toContain("active");
    expect(active.contextValue).not.toContain("acceptable");
    expect(nodePresentation(node({ parentId: null }), null).contextValue).not.toContain("hasParent");
  });

  it("indexes children by parent in archive order", () => {
    const index = childrenIndex([node({ id: "n0", parentId: null }), node({ id: "n1" }), node({ id: "n2", parentId: "n1" }), node({ id: "n3" })]);
    expect(index.get(null)?.map((n) => n.id)).toEqual(["n0"]);
    expect(index.get("n0")?.map((n) => n.id)).toEqual(["n1", "n3"]);
    expect(index.get("n1")?.map((n) => n.id)).toEqual(["n2"]);
  });
});

describe("review markdown", () => {
  it("fences cannot be closed by the content, cells cannot break the table", () => {
    const block = fence("a ```` b");
    expect(block.startsWith("`````\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
    expect(cell("a|b\nc <script>")).toBe("a\\|b c \\<script\\>");
  });

  it("renders details with per-task test output and the diagnosis", () => {
    const details: NodeDetails = {
      summary: node({ reverted: true }), commit: "c".repeat(40),
      identity: { scaffoldCommit: "c".repeat(40), adapterHash: null, modelHash: "m".repeat(64), taskSetHash: "t".repeat(64), seed: 7 },
      problemStatement: "Fix add", diagnosis: { improvement_proposal: "retry" }, cost: { tokens: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 5 }, wallMs: 2000 },
      results: [{ taskId: "t-add", runId: "r1", passed: false, stopReason: "turn-limit", turns: 2, tokens: { promptTokens: 100, cachedPromptTokens: 0, completionTokens: 20 }, wallMs: 1500, trajectory: "/x.jsonl", test: { exitCode: 1, timedOut: false, output: "not ok 1 - adds" }, summary: null }],
      files: ["src/agent.ts"],
      failures: [{ signature: "stopped: turn-limit", failures: 1, runs: 1, failureRate: 1, tasks: ["t-add"] }],
    };
    const md = nodeDetailsMarkdown(details);
    expect(md).toContain("## Failures by signature");
    expect(md).toContain("| stopped: turn-limit | 1 of 1 | 100% | t-add |");
    expect(md).toContain("# Version n1");
    expect(md).toContain("reverted (evaluated)");
    expect(md).toContain("| t-add | ❌ fail | turn-limit | 2 | 120 | 1.5 s | `r1` |");
    expect(md).toContain("for task `t-add`");
    expect(md).toContain("not ok 1 - adds");
    expect(md).toContain('"improvement_proposal": "retry"');
    expect(md).toContain("- `src/agent.ts`");
  });

  it("renders a trajectory turn by turn and reports torn lines", () => {
    const lines = [
      { type: "start", task: { id: "t-add", instructions: "Add numbers" }, versionId: "n1" },
      { type: "llm", ms: 12, result: { text: "I will edit", toolCalls: [{ name: "write_file", arguments: { path: "a.js" } }], usage: { promptTokens: 50, completionTokens: 9 } } },
      { type: "tool-call", turn: 1, name: "write_file", arguments: { path: "a.js" } },
      { type: "tool-result", turn: 1, name: "write_file", ok: true, output: "written" },
      { type: "exec", command: "npm test", result: { exitCode: 0, output: "pass" } },
      { type: "end", result: { passed: true, stopReason: "finished", turns: 1, test: { exitCode: 0, output: "ok 1" } } },
    ].map((r) => JSON.stringify(r));
    const md = trajectoryMarkdown([...lines, '{"type":"llm",'].join("\n"), "n1 · r1");
    expect(md).toContain("## Task `t-add` (version n1)");
    expect(md).toContain("### Model call 1 (12 ms, 50 → 9 tokens)");
    expect(md).toContain("calls `write_file`");
    expect(md).toContain("**Turn 1: write\\_file succeeded**");
    expect(md).toContain("## Outcome: ✅ passed (finished, 1 turns)");
    expect(md).toContain("line 7 is not valid JSON");
  });
});
