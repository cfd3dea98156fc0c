// `clade evolve --tasks a,b`: a session on some tasks of a suite, and the test output a diagnosis reads.
import os from "node:os";
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { listOption } from "../../extension/engine/cli/parse";
import { compactTestOutput } from "../../extension/engine/evolve/diagnose";
import { selectTasks } from "../../extension/engine/evolve/session";
import { CladeError } from "../../extension/protocol/errors";

const tasks = ["t0-a", "t0-b", "t1-c"].map((id) => ({ id }));

describe("selectTasks", () => {
  it("keeps the named tasks in the suite's order, and all of them when none are named", () => {
    expect(selectTasks(tasks, ["t1-c", "t0-a"], "builtin").map((t) => t.id)).toEqual(["t0-a", "t1-c"]);
    expect(selectTasks(tasks, undefined, "builtin")).toEqual(tasks);
  });

  it("names an unknown id and where to find the known ones", () => {
    const error = (() => { try { selectTasks(tasks, ["t0-a", "t9-x"], "builtin"); } catch (e) { return e; } })();
    expect(CladeError.is(error) && error.reason).toBe("invalid-argument");
    expect((error as CladeError).message).toContain('"t9-x"');
    expect((error as CladeError).fix).toContain("clade tasks list --suite builtin");
    expect(() => selectTasks(tasks, [], "builtin")).toThrow(/empty/);
  });
});

describe("listOption", () => {
  it("splits on commas, trims, and adds up when repeated", () => {
    expect(listOption(" a, b ,,c")).toEqual(["a", "b", "c"]);
    expect(listOption("d", ["a"])).toEqual(["a", "d"]);
    expect(() => listOption(" , ")).toThrow(InvalidArgumentError);
  });
});

describe("compactTestOutput", () => {
  it("drops timings, locations and Node's own stack frames, and the scratch folder from paths", () => {
    const tmp = os.tmpdir();
    const output = [
      "not ok 1 - requests wait 5 seconds",
      "  ---",
      "  duration_ms: 2.445841",
      `  location: '${tmp}/clade-score-YWwWlS/test/settings.test.mjs:5:1'`,
      "  failureType: 'testCodeFailure'",
      "  error: |-",
      "    1000 !== 5000",
      "  stack: |-",
      `    TestContext.<anonymous> (file://${tmp}/clade-score-YWwWlS/test/settings.test.mjs:6:10)`,
      "    Test.runInAsyncScope (node:async_hooks:206:9)",
      "    node:internal/test_runner/harness:255:12",
      "# pass 1",
      "# fail 1",
      "# duration_ms 156.445879",
    ].join("\n");
    expect(compactTestOutput(output)).toBe(["not ok 1 - requests wait 5 seconds", "  ---", "  error: |-", "    1000 !== 5000", "  stack: |-", "    TestContext.<anonymous> (test/settings.test.mjs:6:10)", "# pass 1", "# fail 1"].join("\n"));
    // The hidden tests run in the run's sandbox: its folder goes too (the diagnosis prompt, and the
    // agent test model's cache key built from it, must not change from run to run).
    expect(compactTestOutput(`    TestContext.<anonymous> (${tmp}/clade-sandboxes/t1-request-timeout-W9JYkt/work/test/settings.test.mjs:6:10)`)).toBe("    TestContext.<anonymous> (test/settings.test.mjs:6:10)");
  });
});
