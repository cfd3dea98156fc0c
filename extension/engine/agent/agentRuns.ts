// The engine's agent-run service: resolves the suite, the task and the version, builds the
// version (cached), picks the provider (the loaded model, or a scripted one) and runs the task.
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AgentLimits } from "../../protocol/agent";
import type { RunTaskParams, ProgressValue } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { RunResult } from "../../protocol/run";
import { Archive } from "../archive/archive";
import { archivePaths } from "../archive/archivePaths";
import type { ModelHost } from "../model/modelHost";
import { seedAgentDir } from "../resources";
import { openSuite } from "../tasks/openSuite";
import { loraForVersion, versionAdapter } from "../train/adapterStore";
import { buildAgent } from "./buildAgent";
import { withSampling, type LlmProvider } from "./llmProvider";
import { runTask } from "./runTask";
import { ScriptedProvider } from "./scriptedProvider";

/** What choosing a version and a provider needs (a task run's or an ask's parameters). */
export type RunSpec = Pick<RunTaskParams, "workspace" | "node" | "model" | "scripted" | "limits" | "sampling">;

/** The version to run: the given archive node, else the workspace's active one, else the seed agent. */
async function resolveVersion(workspace: string, node: string | undefined): Promise<{ id: string; dir: string; adapter: string | null; dispose: () => Promise<void> }> {
  const seed = { id: "seed", dir: seedAgentDir(), adapter: null, dispose: async () => undefined };
  if (node === "seed") return seed;
  if (!existsSync(archivePaths(workspace).log)) {
    if (node) throw new CladeError("archive-missing", `There is no archive in ${workspace}, so version "${node}" does not exist.`, "Run `clade evolve` in this workspace first, or omit --node to run the seed agent.");
    return seed;
  }
  const archive = await Archive.open(workspace, { readOnly: true });
  try {
    const chosen = node ? archive.requireNode(node) : archive.activeNode();
    if (!chosen) return seed;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `clade-version-${chosen.id}-`));
    await archive.exportNode(chosen.id, dir);
    return { id: chosen.id, dir, adapter: versionAdapter(workspace, chosen), dispose: () => fs.rm(dir, { recursive: true, force: true }) };
  } finally {
    await archive.dispose();
  }
}

export class AgentRuns {
  constructor(private readonly models: ModelHost) {}

  async run(params: Omit<RunTaskParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void } = {}): Promise<RunResult> {
    const report = (message: string) => opts.onProgress?.({ title: `Running ${params.taskId}`, message });
    report("opening the task suite");
    const suite = openSuite(params.suite, { workspace: params.workspace, signal: opts.signal });
    try {
      const task = await suite.get(params.taskId);
      if (!task) {
        const known = (await suite.list()).map((t) => t.id);
        throw new CladeError("invalid-argument", `Suite "${params.suite}" has no task "${params.taskId}".`, `Pick one of: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", …" : ""} (\`clade tasks list --suite ${params.suite}\`).`);
      }
      report("building the agent version");
      const prepared = await this.prepare(params, opts);
      report("agent at work");
      return await runTask({
        task, versionId: prepared.versionId, bundle: prepared.bundle, provider: prepared.provider,
        runsDir: path.join(params.workspace, ".clade", "runs"),
        limits: prepared.limits, isolation: params.isolation, signal: opts.signal,
      });
    } finally {
      suite.dispose();
    }
  }

  /** The version built, its adapter attached, the provider chosen, and the context the agent budgets by. */
  async prepare(params: RunSpec, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void } = {}): Promise<{ versionId: string; bundle: string; provider: LlmProvider; limits: Partial<AgentLimits> }> {
    const version = await resolveVersion(params.workspace, params.node);
    const build = await buildAgent(version.dir, { cacheDir: path.join(os.tmpdir(), "clade-agent-builds"), signal: opts.signal }).finally(version.dispose);
    if (!build.ok) throw new CladeError("invalid-argument", `The agent version does not build (${build.stage}):\n${build.message}`, "Fix the version's code, or run another version.");
    const provider = await this.provider(params, opts);
    // An adapter version runs with its LoRA adapter attached (recreating the context if another is attached).
    if (!params.scripted) await this.models.useLora(loraForVersion(params.workspace, this.models.info?.lora ?? [], version.adapter), opts);
    else if (version.adapter) throw new CladeError("invalid-argument", `Version ${version.id} is a LoRA adapter version; a scripted replay cannot use its adapter.`, "Run it with --model FILE (the base model it was trained for).");
    // The agent budgets its context by what one sequence of the loaded model really holds.
    const info = params.scripted ? undefined : this.models.info;
    const contextTokens = info ? Math.floor(info.contextSize / info.sequences) : undefined;
    return { versionId: version.id, bundle: build.bundle, provider, limits: { ...(contextTokens ? { contextTokens } : {}), ...params.limits } };
  }

  private async provider(params: RunSpec, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<LlmProvider> {
    if (params.scripted) return new ScriptedProvider(params.scripted);
    return withSampling(await this.loadedModel(params, opts), params.sampling);
  }

  private async loadedModel(params: RunSpec, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<LlmProvider> {
    if (params.model && this.models.info?.file !== params.model.model) await this.models.load(params.model, opts);
    if (!this.models.info) {
      throw new CladeError("model-not-loaded", "No model is loaded to run the agent with.", "Pass --model FILE (CLI) or set clade.model.path (VS Code).");
    }
    return this.models;
  }
}
