// The validation gate's "the scaffold's own unit tests" step on real versions of the seed agent.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runScaffoldTests } from "../../extension/engine/agent/scaffoldTests";
import { seedAgentDir } from "../../extension/engine/resources";

function copyOfSeed(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clade-scaffold-"));
  cpSync(seedAgentDir(), dir, { recursive: true });
  return dir;
}

describe("runScaffoldTests", () => {
  it("passes on the seed agent", async () => {
    const result = await runScaffoldTests(seedAgentDir());
    expect(result.output).toMatch(/# pass [1-9]/);
    expect(result).toMatchObject({ passed: true, files: 2 });
  });

  it("fails a version that breaks its edit tool", async () => {
    const dir = copyOfSeed();
    writeFileSync(path.join(dir, "src", "tools", "editTools.ts"), "export const writeFile = {} as never; export const editFile = {} as never;\nexport function applyEdit(): string | undefined { return undefined; }\n");
    const result = await runScaffoldTests(dir);
    expect(result.passed).toBe(false);
    expect(result.output).toMatch(/# fail [1-9]/);
  });

  it("fails a version that deleted its tests", async () => {
    const dir = copyOfSeed();
    rmSync(path.join(dir, "test"), { recursive: true });
    const result = await runScaffoldTests(dir);
    expect(result).toMatchObject({ passed: false, files: 0 });
  });
});
