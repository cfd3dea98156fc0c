// Small pure pieces of the task suites: spec dispatch, output parsing, path classification, quoting.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { openSuite, parseTestCases, parseTestCounts } from "../../extension/engine/tasks";
import { resolveInside } from "../../extension/engine/tasks/fileEntries";
import { jestShimCommand, portableCommand, shellQuote } from "../../extension/engine/tasks/jestShim";
import { guessLanguage, isSourcePath, isTestPath } from "../../extension/engine/tasks/testPaths";

describe("openSuite", () => {
  it("dispatches on the spec and round-trips suite ids", () => {
    const fixtures = path.resolve(__dirname, "../fixtures");
    expect(openSuite("builtin").kind).toBe("builtin");
    expect(openSuite(path.join(fixtures, "polyglot")).kind).toBe("polyglot");
    expect(openSuite("polyglot", { workspace: fixtures }).id).toBe(`polyglot:${path.join(fixtures, "polyglot")}`);
    expect(openSuite("tasks-yaml/good/tasks.yaml", { workspace: fixtures }).kind).toBe("yaml");
    expect(openSuite("repo:.", { workspace: fixtures }).id).toBe(`repo:${fixtures}`);
    for (const spec of ["builtin", `polyglot:${fixtures}/polyglot`, `yaml:${fixtures}/x.yaml`, `repo:${fixtures}`]) {
      expect(openSuite(openSuite(spec).id).id).toBe(openSuite(spec).id);
    }
  });

  it("rejects an unknown spec with a fix", () => {
    try {
      openSuite("no-such-suite-anywhere");
      expect.unreachable();
    } catch (error) {
      expect(CladeError.is(error, "invalid-argument")).toBe(true);
      expect((error as CladeError).fix).toMatch(/builtin/);
    }
  });
});

describe("test output parsing", () => {
  it("reads node --test TAP and spec summaries", () => {
    expect(parseTestCounts("ok 1 - a\n# tests 3\n# pass 2\n# fail 1\n")).toEqual({ passed: 2, failed: 1 });
    expect(parseTestCounts("ℹ tests 4\nℹ pass 4\nℹ fail 0\n")).toEqual({ passed: 4, failed: 0 });
  });

  it("reads jest, vitest and pytest summaries", () => {
    expect(parseTestCounts("Tests:       1 failed, 2 skipped, 3 passed, 6 total")).toEqual({ passed: 3, failed: 1 });
    expect(parseTestCounts("      Tests  2 failed | 5 passed (7)")).toEqual({ passed: 5, failed: 2 });
    expect(parseTestCounts("===== 1 failed, 4 passed, 1 error in 0.12s =====")).toEqual({ passed: 4, failed: 2 });
    expect(parseTestCounts("nothing here")).toBeUndefined();
  });

  it("collects test case names and ignores skipped ones", () => {
    const cases = parseTestCases("    ok 1 - adds\n    not ok 2 - multiplies\nok 3 - later # SKIP\n✔ spec pass (1.2ms)\n✖ spec fail (0.3ms)\ntests/t.py::test_x PASSED\n");
    expect(cases.passed.sort()).toEqual(["adds", "spec pass", "tests/t.py::test_x"]);
    expect(cases.failed.sort()).toEqual(["multiplies", "spec fail"]);
  });
});

describe("paths", () => {
  it("classifies test, source and other files", () => {
    for (const p of ["test/a.mjs", "src/a.test.ts", "pkg/__tests__/x.js", "tests/test_api.py", "foo_test.go", "lib/spec/x.rb"]) expect(isTestPath(p), p).toBe(true);
    for (const p of ["src/a.ts", "lib/index.mjs", "main.go", "Cargo.toml"]) expect(isSourcePath(p), p).toBe(true);
    for (const p of ["README.md", "docs/guide.html", "package-lock.json", "LICENSE", "test/a.mjs"]) expect(isSourcePath(p), p).toBe(false);
    expect(guessLanguage(["a.ts", "b.ts", "c.js"])).toBe("typescript");
  });

  it("refuses task paths that leave the task directory", () => {
    expect(resolveInside("/tmp/task", "a/b.txt")).toBe(path.resolve("/tmp/task/a/b.txt"));
    expect(() => resolveInside("/tmp/task", "../x")).toThrow(/outside the task directory/);
    expect(() => resolveInside("/tmp/task", "/etc/passwd")).toThrow(/outside the task directory/);
  });

  it("hashes shim commands without the machine's temp folder", () => {
    const command = jestShimCommand(["a.spec.js"]);
    expect(command).toContain("file://");
    expect(portableCommand(command)).toMatch(/^node --import jest-shim-[0-9a-f]{12} --test a\.spec\.js$/);
    expect(portableCommand("node --test")).toBe("node --test");
  });

  it("quotes shell arguments only when needed", () => {
    expect(shellQuote("file:///tmp/x/register.mjs")).toBe("file:///tmp/x/register.mjs");
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
  });
});
