// `clade doctor [--json]`: what this machine gives Clade — the sandbox mode in force and why (and
// which modes work here), the llama.cpp backend and why, the optional services (llama-server for
// inference-server tests, redis-server for evaluation queues) — each with the fix where one is missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { SANDBOX_MODES, type SandboxMode } from "../../../protocol/sandbox";
import { resolveIsolation } from "../../agent/sandbox/isolation";
import { llamaServerPath } from "../../model/remote/llamaServerPath";
import { CLADE_VERSION } from "../../version";
import { printJson } from "../output";

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("What this machine gives Clade: the sandbox in force and why, the llama.cpp backend, optional services.")
    .option("--sandbox <mode>", `the mode to resolve (${SANDBOX_MODES.join(", ")})`, "auto")
    .option("--json", "print as JSON")
    .action(async (opts: { sandbox: SandboxMode; json?: boolean }) => {
      const sandbox = await resolveIsolation(opts.sandbox);
      const modes = [];
      for (const mode of SANDBOX_MODES.filter((m) => m !== "auto")) {
        try {
          const r = await resolveIsolation(mode);
          modes.push({ mode, available: true, ...(r.warning ? { warning: r.warning } : {}) });
        } catch (error) {
          modes.push({ mode, available: false, why: error instanceof Error ? error.message : String(error) });
        }
      }
      const { describeHardware } = await import("../../model/hardware");
      const hardware = await describeHardware("auto").catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
      const report = {
        clade: CLADE_VERSION, node: process.version, platform: `${process.platform}-${process.arch}`, cores: os.availableParallelism(),
        sandbox: { requested: sandbox.requested, mode: sandbox.mode, reason: sandbox.reason, ...(sandbox.warning ? { warning: sandbox.warning } : {}), modes },
        hardware,
        services: { llamaServer: llamaServerState(), redisServer: commandWorks("redis-server") },
      };
      if (opts.json) return printJson(report);
      console.log(`Clade ${report.clade}, Node ${report.node}, ${report.platform}, ${report.cores} cores`);
      console.log(`sandbox: ${sandbox.mode} (${sandbox.reason})`);
      if (sandbox.warning) console.log(`  warning: ${sandbox.warning}`);
      for (const m of modes) console.log(`  ${m.mode}: ${m.available ? ("warning" in m ? "works here, unconfined" : "works here") : `no — ${m.why}`}`);
      console.log("error" in hardware ? `llama.cpp: ${hardware.error}` : `llama.cpp: ${hardware.backend} (${hardware.backendReason})`);
      console.log(`llama-server: ${report.services.llamaServer.built ? report.services.llamaServer.path : `not built (node scripts/setupLlamaServer.mjs)`}`);
      console.log(`redis-server: ${report.services.redisServer ? "installed" : "not installed (apt-get install redis-server), needed for clade queue/worker"}`);
    });
}

function commandWorks(command: string): boolean {
  const result = spawnSync(command, ["--version"], { stdio: "ignore" });
  return !result.error && result.status === 0;
}

function llamaServerState(): { path: string; built: boolean } {
  try {
    // dist/cli.mjs → the package root, whose node-llama-cpp's llama.cpp tag keys the cache.
    const file = llamaServerPath(path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."));
    return { path: file, built: existsSync(file) };
  } catch {
    return { path: "", built: false };
  }
}
