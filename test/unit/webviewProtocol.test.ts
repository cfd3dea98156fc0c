// The webview protocol's validation on both sides, the panel HTML's CSP, and the archive → graph mapping.
import { describe, expect, it } from "vitest";
import { parseGraphTree, parseHostMessage, parseWebviewMessage } from "../../extension/protocol/webview";
import { graphHtml } from "../../extension/vscode/graph/graphHtml";
import { diagnosisText, toGraphDetails } from "../../extension/vscode/graph/graphMapping";
import type { NodeDetails, NodeSummary } from "../../extension/protocol/archive";

describe("parseWebviewMessage (host side)", () => {
  it("accepts ready and well-formed requests", () => {
    expect(parseWebviewMessage({ type: "ready" })).toEqual({ type: "ready" });
    expect(parseWebviewMessage({ type: "request", id: 3, method: "details", params: { nodeId: "n4", extra: 1 } })).toEqual({ type: "request", id: 3, method: "details", params: { nodeId: "n4" } });
    expect(parseWebviewMessage({ type: "request", id: 0, method: "tree", params: { anything: true } })).toEqual({ type: "request", id: 0, method: "tree", params: {} });
  });

  it("drops unknown methods, bad ids and bad params", () => {
    for (const bad of [null, "ready", [], { type: "eval" }, { type: "request", id: 1, method: "exec", params: { nodeId: "n1" } }, { type: "request", id: 1.5, method: "accept", params: { nodeId: "n1" } },
      { type: "request", id: -1, method: "accept", params: { nodeId: "n1" } }, { type: "request", id: 1, method: "accept", params: {} }, { type: "request", id: 1, method: "accept", params: { nodeId: "" } },
      { type: "request", id: 1, method: "revert", params: { nodeId: "x".repeat(201) } }, { type: "request", id: 1, method: "showDiff", params: { nodeId: 7 } }, { type: "request", id: 1, method: "toString", params: { nodeId: "n1" } }]) {
      expect(parseWebviewMessage(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe("parseHostMessage (webview side)", () => {
  it("validates trees, dropping malformed nodes and clamping scores", () => {
    const tree = parseGraphTree({ nodes: [{ id: "n0", parentId: null, status: "evaluated", score: 7, passed: 1, evaluated: 1, active: true, origin: "seed", targetTask: null }, { id: 5 }, { id: "n1", parentId: "n0", status: "weird" }, "x"], budget: { used: 1, total: 2 } });
    expect(tree!.nodes).toHaveLength(1);
    expect(tree!.nodes[0]).toMatchObject({ id: "n0", score: 1, active: true, reverted: false });
    expect(tree!.budget).toEqual({ used: 1, total: 2 });
    expect(parseGraphTree({ nodes: "no" })).toBeUndefined();
  });

  it("responses, errors and select", () => {
    expect(parseHostMessage({ type: "response", id: 2, ok: true, result: { a: 1 } })).toEqual({ type: "response", id: 2, ok: true, result: { a: 1 } });
    expect(parseHostMessage({ type: "response", id: 2, ok: false, error: { message: "m", fix: "f" } })).toEqual({ type: "response", id: 2, ok: false, error: { message: "m", fix: "f" } });
    expect(parseHostMessage({ type: "response", id: 2, ok: false })).toMatchObject({ ok: false, error: { message: "The request failed." } });
    expect(parseHostMessage({ type: "response", id: "2", ok: true })).toBeUndefined();
    expect(parseHostMessage({ type: "select", nodeId: "n3" })).toEqual({ type: "select", nodeId: "n3" });
    expect(parseHostMessage({ type: "html", html: "<b>" })).toBeUndefined();
  });
});

describe("graphHtml", () => {
  it("has a strict CSP: nothing by default, the script only by nonce, no unsafe-*", () => {
    const html = graphHtml({ cspSource: "https://x.vscode-cdn.net", scriptUri: "https://x/webview.js", styleUri: "https://x/graph.css", nonce: "abc123" });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    expect(csp).toBe("default-src 'none'; script-src 'nonce-abc123'; style-src https://x.vscode-cdn.net 'nonce-abc123'; font-src https://x.vscode-cdn.net; img-src https://x.vscode-cdn.net");
    expect(html).not.toContain("unsafe");
    const scripts = html.match(/<script[^>]*>/g)!;
    expect(scripts).toEqual(['<script nonce="abc123" src="https://x/webview.js">']);
  });

  it("makes a fresh nonce per page and escapes URIs", () => {
    const a = graphHtml({ cspSource: "s", scriptUri: 'a"><script>alert(1)</script>', styleUri: "b" });
    const b = graphHtml({ cspSource: "s", scriptUri: "a", styleUri: "b" });
    const nonce = (h: string) => /'nonce-([^']+)'/.exec(h)![1];
    expect(nonce(a)).not.toBe(nonce(b));
    expect(nonce(a).length).toBeGreaterThanOrEqual(16);
    expect(a).not.toContain("<script>alert(1)");
  });
});

describe("archive → graph mapping", () => {
  const summary: NodeSummary = { id: "n2", parentId: "n0", status: "evaluated", statusReason: null, origin: "self-edit", targetTask: "t1", passed: 2, evaluated: 3, score: 2 / 3, active: false, reverted: true, running: 0, modelHash: "m", adapterHash: null, seed: 1, tokens: 9, createdAt: "2026-01-01T00:00:00Z" };
  const usage = (p: number, c: number, o: number) => ({ promptTokens: p, cachedPromptTokens: c, completionTokens: o });
  const result = (taskId: string, passed: boolean) => ({ taskId, runId: "r", passed, stopReason: "done", turns: 1, tokens: usage(100, 40, 10), wallMs: 1, trajectory: "t", test: null, summary: null });
  it("groups results per task, sums tokens, renders the diagnosis as text", () => {
    const details: NodeDetails = { summary, commit: "c", identity: { scaffoldCommit: "c", adapterHash: null, modelHash: "m", taskSetHash: "h", seed: 1 }, problemStatement: "p", diagnosis: { summary: "log says X", proposal: "do Y", score: 3 }, cost: { tokens: usage(50, 0, 5), wallMs: 1 }, results: [result("t2", true), result("t1", false), result("t2", true)], files: [] };
    const g = toGraphDetails(details, { nodeId: "n2", against: "n0", files: [{ path: "a.ts", status: "modified", added: 3, removed: null }], added: 3, removed: 0, patch: null });
    expect(g.tasks).toEqual([{ taskId: "t1", passed: 0, evaluated: 1 }, { taskId: "t2", passed: 2, evaluated: 2 }]);
    expect(g.tokens).toEqual({ evaluation: 210, creation: 55 });
    expect(g.diff!.files).toEqual([{ path: "a.ts", added: 3, removed: 0 }]);
    expect(g.diagnosis).toBe("summary: log says X\n\nproposal: do Y");
    expect(g.node).toMatchObject({ id: "n2", reverted: true, origin: "self-edit" });
    expect(diagnosisText({ score: 1 })).toBe('{\n  "score": 1\n}');
    expect(diagnosisText(null)).toBeNull();
  });
});
