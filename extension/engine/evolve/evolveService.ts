// The engine's session service: loads the model with one sequence per parallel job and runs (or
// resumes) a session, turning its progress into protocol progress.
import type { EvolveParams, EvolveResult, ProgressValue } from "../../protocol/engine";
import type { ModelHost } from "../model/modelHost";
import { runSession } from "./session";

export async function evolve(models: ModelHost, params: Omit<EvolveParams, "progressToken">, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void } = {}): Promise<EvolveResult> {
  const spec = { ...params.model, sequences: Math.max(params.model.sequences ?? 1, params.parallel) };
  const info = models.info?.file === spec.model && models.info.sequences >= params.parallel ? models.info : await models.load(spec, opts);
  const title = "Self-improvement session";
  const summary = await runSession({
    workspace: params.workspace, suite: params.suite, strategy: params.strategy, seed: params.seed, parallel: params.parallel,
    budgetEvaluations: params.budgetEvaluations, budgetTokens: params.budgetTokens, budgetWallMs: params.budgetWallMs, budgetExpansions: params.budgetExpansions,
    provider: models, modelHash: info.sha256 ?? info.file, limits: { contextTokens: Math.floor(info.contextSize / info.sequences), ...params.limits },
    gateTasks: params.gateTasks, isolation: params.isolation, signal: opts.signal,
    onProgress: (p) => opts.onProgress?.({
      title, done: p.evaluationsDone, total: p.budget, percentage: (100 * p.evaluationsDone) / Math.max(1, p.budget),
      message: `${p.nodes} versions (${p.invalidNodes} invalid)${p.best ? `, best ${p.best.nodeId} ${p.best.passed}/${p.best.evaluated}` : ""}${p.message ? ` — ${p.message}` : ""}`,
    }),
  });
  const { running: _running, message: _message, ...rest } = summary;
  return rest;
}
