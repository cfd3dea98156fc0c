// A failed run's signature: stop reason, then failing test names, then error class, then exit code.
import { describe, expect, it } from "vitest";
import { failureSignature } from "../../extension/engine/train/recipes/failureSignature";

const test = (output: string, exitCode: number | null = 1, timedOut = false) => ({ passed: false, stopReason: "finished", test: { exitCode, timedOut, output } });

describe("failureSignature", () => {
  it("names what failed, most specific first", () => {
    expect(failureSignature({ passed: true })).toBeUndefined();
    expect(failureSignature({ passed: false, error: { reason: "agent-error", message: "x" } })).toBe("error: agent-error");
    expect(failureSignature({ passed: false, stopReason: "turn-limit" })).toBe("stopped: turn-limit");
    expect(failureSignature(test("", null, true))).toBe("tests: timed out");
    expect(failureSignature(test("not ok 2 - subtracts\nok 1 - adds\nnot ok 3 - divides by zero\n# pass 1\n# fail 2"))).toBe("failing: divides by zero | subtracts");
    expect(failureSignature(test("file:///x/calc.mjs:3\nTypeError: a is not a function\n"))).toBe("error class: TypeError");
    expect(failureSignature(test("something odd", 2))).toBe("exit 2");
    expect(failureSignature({ passed: false, stopReason: "finished" })).toBe("not scored");
  });
});
