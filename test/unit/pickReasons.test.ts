// Accept / Revert say why a version cannot be picked instead of an empty list (issue 15.5).
import { describe, expect, it } from "vitest";
import type { NodeSummary } from "../../extension/protocol/archive";
import { acceptRefusal, nothingToPick, revertRefusal } from "../../extension/vscode/archive/pickReasons";

const node = (id: string, over: Partial<NodeSummary> = {}): NodeSummary => ({
  id, parentId: id === "n0" ? null : "n0", status: "evaluated", statusReason: null, origin: id === "n0" ? "seed" : "self-edit", targetTask: null, passed: 1, evaluated: 2, score: 0.5,
  active: false, reverted: false, running: 0, modelHash: "m", adapterHash: null, seed: 0, tokens: 0, createdAt: "", ...over,
});

describe("accept and revert refusals", () => {
  it("an active root with only invalid children: nothing to accept, each version says why", () => {
    const nodes = [node("n0", { active: true }), node("n1", { status: "invalid", statusReason: "gate (build): esbuild failed\nmore" }), node("n2", { status: "invalid", statusReason: null })];
    expect(nodes.map(acceptRefusal)).toEqual(["already the active version", "invalid — gate (build): esbuild failed", "invalid — it failed the gate"]);
    const { message, fix } = nothingToPick("accept", nodes, acceptRefusal);
    expect(message).toBe("No version can be accepted — n0: already the active version; n1: invalid — gate (build): esbuild failed; n2: invalid — it failed the gate.");
    expect(fix).toMatch(/passes its gate/);
  });

  it("revert: the root in use by default has nothing before it; only the accepted version can be reverted", () => {
    const nodes = [node("n0", { active: true }), node("n1")];
    const why = (n: NodeSummary) => revertRefusal(n, null);
    expect(nothingToPick("revert", nodes, why).message).toBe("No version can be reverted — n0: the root version, in use because nothing was accepted: there is nothing before it to go back to; n1: not the active version (only the active version is reverted).");
    expect(revertRefusal(node("n1", { active: true }), "n1")).toBeNull();
    expect(nothingToPick("accept", [], acceptRefusal).fix).toMatch(/Start Self-Improvement Session/);
  });
});
