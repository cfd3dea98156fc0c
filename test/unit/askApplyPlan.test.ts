// VS Code's Apply of an ask: what is created, replaced, removed or left, and when nothing is written.
import { describe, expect, it } from "vitest";
import { planApply } from "../../extension/engine/ask/applyPlan";
import { displayPath, markedPath } from "../../extension/protocol/displayText";

describe("planApply", () => {
  it("creates, replaces and removes files that are as the agent found them; skips ones already applied", () => {
    const plan = planApply([
      { path: "new.js", before: undefined, after: "n", current: undefined },
      { path: "mod.js", before: "a", after: "b", current: "a" },
      { path: "gone.js", before: "g", after: undefined, current: "g" },
      { path: "done.js", before: "x", after: "y", current: "y" },
    ]);
    expect(plan.ok && [plan.create, plan.replace, plan.remove, plan.unchanged].map((l) => l.map((f) => f.path))).toEqual([["new.js"], ["mod.js"], ["gone.js"], ["done.js"]]);
  });

  it("any file changed meanwhile (an unsaved editor's text included) is a conflict, and then nothing is planned", () => {
    const plan = planApply([
      { path: "ok.js", before: "a", after: "b", current: "a" },
      { path: "mine.js", before: "a", after: "b", current: "a, edited" },
      { path: "made.js", before: undefined, after: "n", current: "the user's own" },
      { path: "deleted.js", before: "d", after: "e", current: undefined },
    ]);
    expect(plan).toEqual({
      ok: false,
      conflicts: [
        { path: "mine.js", why: "you changed it after the ask started" },
        { path: "made.js", why: "you created it after the ask started" },
        { path: "deleted.js", why: "you deleted it after the ask started" },
      ],
    });
  });
});

describe("displayPath", () => {
  it("shows control characters and invisible marks escaped", () => {
    expect(displayPath("src/a\u202eb\u0007.js")).toBe("src/a\\u{202e}b\\u{7}.js");
    expect(displayPath("plain/name.ts")).toBe("plain/name.ts");
    expect(markedPath("a\u202eb.ts")).toBe("a\\u{202e}b.ts ⚠ unusual characters");
    expect(markedPath("plain.ts")).toBe("plain.ts");
  });
});
