// Agent processes started ahead of their runs (agent/warmAgentProcesses.ts), through the real
// runner: after a run, a process for the next run of the same version waits, confined to its own
// reserved sandbox; the next run takes that very process and passes; another version does not
// take it; disposing kills the waiting processes and removes their folders.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../extension/engine/agent/buildAgent";
import { runTask } from "../../extension/engine/agent/runTask";
import { ScriptedProvider } from "../../extension/engine/agent/scriptedProvider";
import { disposeWarmAgents, takeWarmAgent, waitingAgents } from "../../extension/engine/agent/warmAgentProcesses";
import { harnessBundle, seedAgentDir } from "../../extension/engine/resources";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import type { Task } from "../../extension/engine/tasks/types";

const runsDir = path.join(os.tmpdir(), `clade-warm-runs-${process.pid}`);
let bundle: string;
let task: Task;
const solve = () => new ScriptedProvider([
  { toolCall: { name: "edit_file", arguments: { path: "calc.mjs", search: "return b - a;", replace: "return a - b;" } } },
  { toolCall: { name: "finish", arguments: { summary: "fixed" } } },
]);
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  const build = await buildAgent(seedAgentDir(), { cacheDir: path.join(os.tmpdir(), "clade-agent-builds") });
  if (!build.ok) throw new Error(build.message);
  bundle = build.bundle;
  task = (await openBuiltinSuite().get("t0-subtract-order"))!;
  disposeWarmAgents();
});
afterAll(() => disposeWarmAgents());

describe("warm agent processes", () => {
  it("a run leaves a confined process waiting for its version's next run, which takes that process and passes", async () => {
    expect((await runTask({ task, versionId: "seed", bundle, provider: solve(), runsDir })).passed).toBe(true);
    await until(() => waitingAgents().length === 1);
    const [waiting] = waitingAgents();
    expect(waiting.bundle).toBe(bundle);
    const pid = waiting.pid!;
    // Confined to its reserved sandbox, as a freshly started one would be; nothing of the version loaded yet.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(cmdline).toContain(`--allow-fs-write=${path.join(waiting.container, "work")}/*`);
    expect(cmdline.some((arg) => arg.startsWith("--allow-child-process"))).toBe(false);
    expect(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")).toContain(`HOME=${path.join(waiting.container, "home")}`);
    const result = await runTask({ task, versionId: "seed", bundle, provider: solve(), runsDir });
    expect(result.passed).toBe(true);
    // The run ran in that process (killed with its group when the run ended) and in its folder.
    await until(() => !alive(pid));
    expect(existsSync(waiting.container)).toBe(false);
    await until(() => waitingAgents().length === 1);
    expect(waitingAgents()[0].pid).not.toBe(pid);
  });

  it("another version does not take it; disposing kills waiting processes and removes their folders", async () => {
    await until(() => waitingAgents().length >= 1);
    expect(takeWarmAgent(harnessBundle(), `${bundle}.other-version.mjs`)).toBeUndefined();
    const waiting = waitingAgents();
    expect(waiting.length).toBeGreaterThanOrEqual(1);
    disposeWarmAgents();
    expect(waitingAgents()).toEqual([]);
    for (const w of waiting) {
      await until(() => !alive(w.pid!));
      await until(() => !existsSync(w.container));
    }
  });
});
