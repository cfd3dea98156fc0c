// Building agent versions: the seed agent builds (and is cached); a version with a type error or a
// syntax error is a validation failure carrying the compiler's message, not a crash.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { seedAgentDir } from "../../extension/engine/resources";

const cacheDir = mkdtempSync(path.join(os.tmpdir(), "clade-build-cache-"));

function copyOfSeed(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clade-version-"));
  cpSync(seedAgentDir(), dir, { recursive: true });
  return dir;
}

describe("buildAgent", () => {
  it("builds the seed agent into one ESM bundle exporting runAgent, then serves it from cache", async () => {
    const first = await buildAgent(seedAgentDir(), { cacheDir });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.cached).toBe(false);
    const mod = await import(first.bundle);
    expect(typeof mod.runAgent).toBe("function");
    const second = await buildAgent(seedAgentDir(), { cacheDir });
    expect(second).toMatchObject({ ok: true, cached: true, hash: first.hash });
  });

  it("reports a type error as a typecheck failure with the file and line", async () => {
    const dir = copyOfSeed();
    const file = path.join(dir, "src", "settings.ts");
    writeFileSync(file, readFileSync(file, "utf8") + "\nexport const broken: number = \"not a number\";\n");
    const build = await buildAgent(dir, { cacheDir });
    expect(build.ok).toBe(false);
    if (build.ok) return;
    expect(build.stage).toBe("typecheck");
    expect(build.message).toMatch(/settings\.ts.*TS2322/);
  });

  it("reports a syntax error as a build failure", async () => {
    const dir = copyOfSeed();
    writeFileSync(path.join(dir, "src", "loop.ts"), "export function runAgent( {\n");
    const build = await buildAgent(dir, { cacheDir, typecheck: false });
    expect(build).toMatchObject({ ok: false, stage: "build" });
  });

  it("reports a version without an entry point", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clade-empty-version-"));
    const build = await buildAgent(dir, { cacheDir });
    expect(build).toMatchObject({ ok: false, stage: "missing-entry" });
  });
});
