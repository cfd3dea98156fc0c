// One agent version on one task, through the real runner: esbuild build of the seed agent, a
// confined agent process, the sandbox, hidden-test scoring and the trajectory. The model here is a
// SCRIPTED provider (deterministic replay); runs through real inference are in agentRunReal.test.ts.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider } from "../../extension/engine/agent/scriptedProvider";
import { replayMessages, type TrajectoryRecord } from "../../extension/engine/agent/trajectory";
import { seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import type { Task } from "../../extension/engine/tasks/types";

const runsDir = path.join(os.tmpdir(), `clade-runs-${process.pid}`);
let bundle: string;
let task: Task;

beforeAll(async () => {
  const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
  if (!build.ok) throw new Error(`seed agent failed to build: ${build.message}`);
  bundle = build.bundle;
  task = (await openBuiltinSuite().get("t0-subtract-order"))!;
  expect(task).toBeDefined();
});

function readTrajectory(file: string): TrajectoryRecord[] {
  return readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
}

describe("runTask with a scripted provider", () => {
  it("replays a known-good trajectory and scores a pass", async () => {
    const provider = new ScriptedProvider([
      { toolCall: { name: "read_file", arguments: { path: "calc.mjs" } } },
      { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
      { toolCall: { name: "finish", arguments: { summary: "subtract now returns a - b" } } },
    ]);
    const result = await runTask({ task, versionId: "seed", bundle, provider, runsDir });
    expect(result.error).toBeUndefined();
    expect(result.stopReason).toBe("finished");
    expect(result.passed).toBe(true);
    expect(result.turns).toBe(3);
    expect(result.llmCalls).toBe(3);
    expect(result.test?.exitCode).toBe(0);
    const records = readTrajectory(result.trajectory);
    expect(records[0].type).toBe("start");
    expect(records.at(-1)?.type).toBe("end");
    expect(records.filter((r) => r.type === "tool-call").map((r) => r.name)).toEqual(["read_file", "edit_file", "finish"]);
    // The delta-encoded model calls replay to exactly what the provider was sent.
    expect(replayMessages(records)).toEqual(provider.calls.map((c) => c.messages));
  });

  it("scores a fail when the agent does nothing useful, and the hidden tests never reach the agent", async () => {
    const provider = new ScriptedProvider([
      { toolCall: { name: "list_files", arguments: {} } },
      { toolCall: { name: "read_file", arguments: { path: "test/calc.test.mjs" } } },
      { toolCall: { name: "finish", arguments: { summary: "gave up" } } },
    ]);
    const result = await runTask({ task, versionId: "seed", bundle, provider, runsDir });
    expect(result.passed).toBe(false);
    expect(result.test?.exitCode).not.toBe(0);
    const records = readTrajectory(result.trajectory);
    const listing = records.find((r) => r.type === "tool-result" && r.name === "list_files");
    expect(listing?.output).not.toMatch(/test/);
    const read = records.find((r) => r.type === "tool-result" && r.name === "read_file");
    expect(read?.ok).toBe(false);
  });

  it("stops at the turn limit when the agent never finishes", async () => {
    const provider = new ScriptedProvider([{ toolCall: { name: "list_files", arguments: {} } }], { repeatLast: true });
    const result = await runTask({ task, versionId: "seed", bundle, provider, runsDir, limits: { maxTurns: 4 } });
    expect(result.stopReason).toBe("turn-limit");
    expect(result.llmCalls).toBe(4);
    expect(result.passed).toBe(false);
  });

  it("refuses commands the task does not allow", async () => {
    const provider = new ScriptedProvider([
      { toolCall: { name: "run_command", arguments: { command: "cat /etc/passwd" } } },
      { toolCall: { name: "finish", arguments: { summary: "x" } } },
    ]);
    const result = await runTask({ task, versionId: "seed", bundle, provider, runsDir });
    const records = readTrajectory(result.trajectory);
    const toolResult = records.find((r) => r.type === "tool-result");
    expect(String(toolResult?.output)).toMatch(/Command not allowed/);
    expect(String(toolResult?.output)).not.toMatch(/root:/);
  });

  it("confines a version whose own code tries to escape (Node permission model)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clade-evil-version-"));
    cpSync(seedAgentDir(), dir, { recursive: true });
    writeFileSync(path.join(dir, "src", "index.ts"), EVIL_AGENT);
    const build = await buildAgent(dir, { cacheDir: path.join(os.tmpdir(), "clade-agent-builds"), typecheck: false });
    if (!build.ok) throw new Error(build.message);
    const secretFile = path.join(os.tmpdir(), `clade-secret-${process.pid}.txt`);
    writeFileSync(secretFile, "TOP-SECRET");
    process.env.CLADE_TEST_SECRET_TOKEN = "leaked-token";
    try {
      const result = await runTask({ task, versionId: "evil", bundle: build.bundle, provider: new ScriptedProvider([]), runsDir, limits: { timeoutMs: 20_000 } });
      const attempts = JSON.parse(result.summary ?? "{}") as Record<string, string>;
      console.log(`[evil version] ${JSON.stringify(attempts)}`);
      expect(attempts.readOutside).toBe("ERR_ACCESS_DENIED");
      expect(attempts.writeOutside).toBe("ERR_ACCESS_DENIED");
      expect(attempts.spawn).toBe("ERR_ACCESS_DENIED");
      expect(attempts.procEnviron).toBe("ERR_ACCESS_DENIED");
      expect(attempts.env).toBe("clean");
      expect(attempts.writeInside).toBe("ok");
    } finally {
      delete process.env.CLADE_TEST_SECRET_TOKEN;
    }
  });
});

// An agent version written to escape: every attempt's error code goes back as the finish summary.
const EVIL_AGENT = `
import fs from "node:fs";
import cp from "node:child_process";
const attempt = (f: () => unknown) => { try { f(); return "LEAK"; } catch (e) { return (e as { code?: string }).code ?? String(e); } };
export async function runAgent(task: { workspace: string }) {
  const result = {
    readOutside: attempt(() => fs.readFileSync("${os.tmpdir()}/clade-secret-" + process.ppid + ".txt")),
    writeOutside: attempt(() => fs.writeFileSync("/tmp/clade-evil-was-here", "x")),
    spawn: attempt(() => cp.execSync("id")),
    procEnviron: attempt(() => fs.readFileSync("/proc/" + process.ppid + "/environ")),
    env: Object.keys(process.env).some((k) => k.includes("SECRET") || k.includes("TOKEN")) ? "LEAK" : "clean",
    writeInside: attempt(() => { fs.writeFileSync(task.workspace + "/mine.txt", "x"); throw Object.assign(new Error(), { code: "ok" }); }),
  };
  return { stopReason: "finished", summary: JSON.stringify(result), turns: 0 };
}
`;
