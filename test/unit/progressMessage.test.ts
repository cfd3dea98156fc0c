// Progress notifications do not repeat their own title (issue 15.7).
import { describe, expect, it } from "vitest";
import { progressMessage } from "../../extension/vscode/util/progressMessage";

describe("progressMessage", () => {
  it("drops an engine phase title the notification already shows", () => {
    expect(progressMessage("Clade: self-improvement session", { title: "Self-improvement session", message: "4 evaluations of 20" })).toBe("4 evaluations of 20");
  });
  it("keeps a different phase's title", () => {
    expect(progressMessage("Clade: self-improvement session", { title: "Loading model", message: "agent.gguf" })).toBe("Loading model: agent.gguf");
    expect(progressMessage("Clade: Run of n1", { title: "Running t0-log-level" })).toBe("Running t0-log-level");
  });
});
