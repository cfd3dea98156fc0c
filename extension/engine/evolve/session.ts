// A self-improvement session: grows the archive from the seed agent by the chosen search strategy,
// with up to `parallel` jobs (expansions and evaluations) sharing the loaded model. Everything it
// does is in the archive's event log (the validation gate's runs: in `.clade/gate.jsonl`), so
// killing it at any point and starting it again resumes: evaluations reported done stay done,
// running ones are abandoned and re-run.
// The budget B counts task runs: evaluations and the validation gate's runs (gateLog.ts) alike, so
// a small B is not spent by gates the session never accounts for; the strategy sees both
// (sessionSearchView.ts), and the progress reports them apart (evaluationsDone, gateRuns).
import os from "node:os";
import path from "node:path";
import { CladeError } from "../../protocol/errors";
import { Archive } from "../archive/archive";
import { seedAgentDir } from "../resources";
import { createStrategy } from "../search/createStrategy";
import { createRng, hash32, type Rng } from "../search/rng";
import { openSuite } from "../tasks/openSuite";
import type { Task } from "../tasks/types";
import { evaluateNode } from "./evaluateNode";
import { expandNode, PROBE_TASKS } from "./expandNode";
import { GateLog } from "./gateLog";
import { SessionSearchView } from "./sessionSearchView";
import { chooseGateTasks, DEFAULT_GATE_TASKS } from "./validate";
import type { SessionOptions, SessionProgress, SessionSummary } from "./sessionTypes";

type Job = { kind: "expand" | "evaluate"; nodeId: string; done: Promise<string> };

export async function runSession(options: SessionOptions): Promise<SessionSummary> {
  const started = Date.now();
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const archive = options.archive ?? (await Archive.open(options.workspace, { create: true }));
  const suite = openSuite(options.suite, { workspace: options.workspace, testCommand: options.testCommand });
  let searchView: SessionSearchView | undefined;
  try {
    const all = selectTasks(await suite.list(), options.taskIds, suite.id);
    const tasks = shuffle(all, createRng(hash32(options.seed, 0x7a5c)));
    const previous = archive.session();
    // A resumed session first collects what the queue's workers finished (or still run) for it.
    if (previous && options.remote) {
      await options.remote.reattach(archive, path.join(options.workspace, ".clade", "runs"));
    }
    if (previous) await archive.abandonInFlight("the engine stopped while it ran; resumed");
    const session = await archive.startSession(
      { suite: suite.id, taskSetHash: await suite.hash(), taskIds: tasks.map((t) => t.id), modelHash: options.modelHash, strategy: options.strategy, seed: options.seed, budgets: { evaluations: options.budgetEvaluations, tokens: options.budgetTokens, wallMs: options.budgetWallMs, parallel: options.parallel } },
      { resumes: previous?.id ?? null },
    );
    if (!archive.nodes().length) await archive.addNode(null, seedAgentDir(), { origin: { kind: "seed", targetTask: null, diagnosis: null, problemStatement: null } });

    const gateLog = await GateLog.open(archive.paths.dir);
    const view = (searchView = await SessionSearchView.open(archive, gateLog));
    const strategy = createStrategy(options.strategy, options.strategyOptions);
    const rng = createRng(hash32(options.seed, Number(session.id.slice(1)) + 1));
    const buildCacheDir = path.join(os.tmpdir(), "clade-agent-builds");
    const gateTaskCount = options.gateTasks ?? DEFAULT_GATE_TASKS;
    const gateTasks = chooseGateTasks(tasks, gateTaskCount);
    const noGateTasksReason = gateTaskCount <= 0 ? "gateTasks is 0" : "the suite has no tasks";
    // Task runs reserved by running expansions for their gate and one evaluation (see the loop).
    const reserved = new Map<object, number>();
    const reservedRuns = () => [...reserved.values()].reduce((a, b) => a + b, 0);
    const budgetLeft = () => budgetRemaining(view, archive) - reservedRuns() > 0;
    const remote = options.remote ? { runner: options.remote, suite: { spec: options.suite, hash: await suite.hash() } } : undefined;
    const context = { archive, options, provider: options.provider, tasks, gateTasks, noGateTasksReason, gateLog, budgetLeft, buildCacheDir, rng, signal: controller.signal, remote };
    const jobs = new Set<Job>();
    const progress = (message?: string): SessionProgress => ({ ...report(archive, view, session.id, Boolean(previous), jobs, started, strategy.finalPick(view.view()), message), ...(options.remote ? { remote: options.remote.snapshot() } : {}) });

    let stopReason: SessionSummary["stopReason"] = "nothing-to-do";
    const training = autoTraining(options, archive);
    // Jobs that fail outright (not: a run that fails its tests) are retried by the strategy; three
    // in a row mean something systematic (no model, a broken sandbox): stop and say what.
    const failures = { consecutive: 0, last: "" };
    let deferred: string | undefined;
    let stopMessage: string | undefined;
    for (;;) {
      if (failures.consecutive >= 3) {
        stopReason = "failing";
        break;
      }
      const over = overBudget(options, archive, started);
      if (controller.signal.aborted || over) {
        stopReason = controller.signal.aborted ? "cancelled" : over!;
        break;
      }
      if (jobs.size === 0 && training.due()) {
        const message = await training.run(strategy.finalPick(view.view()), controller.signal);
        options.onProgress?.(progress(message));
      }
      let stopped = false;
      deferred = undefined;
      while (jobs.size < options.parallel) {
        const action = strategy.next(view.view(), view.budget(), rng);
        if (action.kind === "wait") break;
        if (action.kind === "stop") {
          stopped = true;
          break;
        }
        // The budget is a ceiling: an expansion starts only if its gate's runs and one evaluation of
        // the child fit in what is left (running jobs' needs reserved), never to overrun it.
        let chosen: { kind: "expand" | "evaluate"; nodeId: string; tasks: number } = { kind: action.kind, nodeId: action.nodeId, tasks: action.kind === "evaluate" ? action.tasks : 0 };
        if (action.kind === "expand") {
          const need = expansionNeed(context, action.nodeId);
          const left = budgetRemaining(view, archive) - reservedRuns();
          if (need > left) {
            // What is left still buys evaluations: the parent on one more task (better than leaving it unspent).
            if (left > 0 && archive.untestedTasks(action.nodeId).length > 0 && !claimedEvaluation(jobs, action.nodeId)) {
              options.onProgress?.(progress(`the ${left} task run(s) left cannot fit an expansion of ${action.nodeId} (up to ${need}: probes, its gate and one evaluation); evaluating ${action.nodeId} on one more task instead`));
              chosen = { kind: "evaluate", nodeId: action.nodeId, tasks: 1 };
            } else {
              deferred = `an expansion of ${action.nodeId} needs up to ${need} task runs (probes, its gate and one evaluation), ${Math.max(0, left)} left in the budget`;
              break;
            }
          }
        }
        // Each job records its start (expansion / evaluations in flight) before the strategy is asked again.
        // An evaluation takes only what running expansions have not reserved.
        const tasks = chosen.kind === "evaluate" ? Math.min(chosen.tasks, budgetRemaining(view, archive) - reservedRuns()) : 0;
        if (chosen.kind === "evaluate" && tasks <= 0) {
          deferred = `evaluating ${chosen.nodeId} would spend task runs that running expansions reserved for their gates`;
          break;
        }
        // Reserved before it starts (its gate and one evaluation): its probes may only use what is beyond.
        const slot = {};
        if (chosen.kind === "expand") reserved.set(slot, gateRunBound(context, chosen.nodeId) + 1);
        const job = await startJob(context, chosen.kind, chosen.nodeId, tasks);
        jobs.add(job);
        // Said at once: an expansion (diagnosis, self-edit, gate) can take minutes before it reports.
        options.onProgress?.(progress(chosen.kind === "expand" ? `started: expansion of ${chosen.nodeId} (diagnosis, self-edit, gate)` : `started: evaluation of ${chosen.nodeId} on ${tasks} task(s)`));
        void job.done.finally(() => (jobs.delete(job), reserved.delete(slot))).then(
          (message) => {
            failures.consecutive = 0;
            options.onProgress?.(progress(message));
          },
          (error: unknown) => {
            failures.consecutive += 1;
            failures.last = error instanceof Error ? error.message : String(error);
            options.onProgress?.(progress(`a job failed: ${failures.last}`));
          },
        );
      }
      if (stopped && jobs.size === 0) {
        stopReason = view.budget().used >= options.budgetEvaluations ? "budget" : "nothing-to-do";
        break;
      }
      if (deferred && jobs.size === 0) {
        stopReason = "budget";
        stopMessage = `stopped: ${deferred}`;
        break;
      }
      if (jobs.size === 0) continue;
      await Promise.race([...jobs].map((j) => j.done.catch(() => undefined)));
    }
    // Budgets stop new work; running jobs finish (and are recorded). Only a cancel aborts them.
    if (stopReason === "cancelled") controller.abort();
    await Promise.allSettled([...jobs].map((j) => j.done));
    return { ...progress(stopReason === "failing" ? `stopped after ${failures.consecutive} failed jobs in a row; the last: ${failures.last}` : stopMessage), stopReason, finalPick: strategy.finalPick(view.view()) };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    searchView?.dispose();
    suite.dispose();
    if (!options.archive) await archive.dispose();
  }
}

interface JobContext {
  remote?: { runner: NonNullable<SessionOptions["remote"]>; suite: { spec: string; hash: string } };
  archive: Archive;
  options: SessionOptions;
  provider: SessionOptions["provider"];
  tasks: readonly Task[];
  gateTasks: readonly Task[];
  noGateTasksReason: string;
  gateLog: GateLog;
  budgetLeft(): boolean;
  buildCacheDir: string;
  rng: Rng;
  signal: AbortSignal;
}

/** Starts a job and resolves once it has recorded its start in the archive. */
async function startJob(context: JobContext, kind: "expand" | "evaluate", nodeId: string, tasks: number): Promise<Job> {
  let started!: () => void;
  const recorded = new Promise<void>((resolve) => (started = resolve));
  const done = kind === "expand" ? expandNode(context, nodeId, started) : evaluateNode(context, nodeId, tasks, started);
  // Wait until the start is on record (or the job already ended without starting anything).
  await Promise.race([recorded, done.then(() => undefined, () => undefined)]);
  return { kind, nodeId, done };
}

/** `trainEvery`: after every K new passed runs (counted from the session's start), train an adapter child of the best version. */
function autoTraining(options: SessionOptions, archive: Archive): { due(): boolean; run(best: string | null, signal: AbortSignal): Promise<string> } {
  const every = options.trainEvery;
  if (every !== undefined && (!Number.isInteger(every) || every < 1)) throw new CladeError("invalid-argument", `trainEvery must be a positive integer, got ${every}.`, "Pass e.g. --train-every 10.");
  if (every !== undefined && !options.trainAdapter) throw new CladeError("invalid-argument", "trainEvery is set but the session has no trainer.", "Run the session in the engine with a loaded model (`clade evolve --model F --train-every K`).");
  if (every !== undefined && options.parallel > 1) throw new CladeError("invalid-argument", "--train-every needs --parallel 1 (attaching an adapter recreates the model's context, which would abort the other jobs).", "Run with --parallel 1, or train separately with `clade train`.");
  const passed = () => archive.nodes().reduce((sum, n) => sum + archive.results(n.id).filter((r) => r.passed).length, 0);
  let trainedAt = passed();
  return {
    due: () => every !== undefined && passed() - trainedAt >= every,
    run: async (best, signal) => {
      trainedAt = passed();
      if (!best) return "training skipped: no version to train from";
      try {
        const id = await options.trainAdapter!(archive, best, signal);
        return `trained adapter version ${id} from ${best}`;
      } catch (error) {
        if (signal.aborted) throw error;
        return `training from ${best} failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
  };
}

/** Task runs left in the budget B: evaluations and gate runs done, and evaluations running, are spent. */
function budgetRemaining(view: SessionSearchView, archive: Archive): number {
  const budget = view.budget();
  return budget.total - budget.used - archive.inFlightEvaluations().length;
}

/** Whether a running job already evaluates `nodeId` (its claimed tasks are not free for another). */
function claimedEvaluation(jobs: Set<Job>, nodeId: string): boolean {
  return [...jobs].some((job) => job.kind === "evaluate" && job.nodeId === nodeId);
}

/**
 * The most task runs an expansion of `parentId` can spend: probes (a parent without a failure is
 * first run on up to PROBE_TASKS untested tasks), its gate, and one evaluation of the child.
 */
export function expansionNeed(context: Pick<JobContext, "gateTasks" | "archive" | "gateLog">, parentId: string): number {
  const probes = context.archive.results(parentId).some((r) => !r.passed) ? 0 : Math.min(PROBE_TASKS, context.archive.untestedTasks(parentId).length);
  return probes + gateRunBound(context, parentId) + 1;
}

/**
 * The most task runs an expansion of `parentId` can spend in its gate: each gate task once for the
 * child, and once for the parent where the parent's result on it is not on record yet.
 */
export function gateRunBound(context: Pick<JobContext, "gateTasks" | "archive" | "gateLog">, parentId: string): number {
  const recorded = (taskId: string) => context.archive.resultsByTask(parentId).get(taskId)?.[0]?.passed ?? context.gateLog.result(parentId, taskId);
  return context.gateTasks.reduce((sum, task) => sum + 1 + (recorded(task.id) === undefined ? 1 : 0), 0);
}

function overBudget(options: SessionOptions, archive: Archive, started: number): SessionSummary["stopReason"] | undefined {
  const usage = archive.usage();
  const tokens = usage.tokens.promptTokens - usage.tokens.cachedPromptTokens + usage.tokens.completionTokens;
  if (options.budgetTokens !== undefined && tokens >= options.budgetTokens) return "token-budget";
  if (options.budgetWallMs !== undefined && Date.now() - started >= options.budgetWallMs) return "time-budget";
  if (usage.expansions >= (options.budgetExpansions ?? Math.max(10, options.budgetEvaluations))) return "expansion-budget";
  return undefined;
}

function report(archive: Archive, view: SessionSearchView, sessionId: string, resumed: boolean, jobs: Set<Job>, started: number, pick: string | null, message?: string): SessionProgress {
  const nodes = archive.nodes();
  const usage = archive.usage();
  const bestResults = pick ? archive.results(pick) : [];
  const budget = view.budget();
  return {
    sessionId, resumed, message,
    evaluationsDone: budget.used - (budget.gateRuns ?? 0),
    gateRuns: budget.gateRuns ?? 0,
    budget: budget.total,
    nodes: nodes.length,
    invalidNodes: nodes.filter((n) => n.status === "invalid").length,
    expansions: usage.expansions,
    running: [...jobs].map((j) => ({ kind: j.kind, nodeId: j.nodeId })),
    best: pick ? { nodeId: pick, passed: bestResults.filter((r) => r.passed).length, evaluated: bestResults.length } : null,
    tokens: usage.tokens.promptTokens - usage.tokens.cachedPromptTokens + usage.tokens.completionTokens,
    elapsedMs: Date.now() - started,
  };
}

/** The suite's tasks, or only those named (in the suite's order); an unknown id is an error that lists the known ones. */
export function selectTasks<T extends { id: string }>(all: readonly T[], ids: readonly string[] | undefined, suiteId: string): T[] {
  if (!ids) return [...all];
  const known = new Set(all.map((t) => t.id));
  const unknown = [...new Set(ids)].filter((id) => !known.has(id));
  if (unknown.length) {
    const sample = all.slice(0, 12).map((t) => t.id).join(", ");
    throw new CladeError("invalid-argument", `The suite ${suiteId} has no task ${unknown.map((id) => `"${id}"`).join(", ")}.`, `Use ids from \`clade tasks list --suite ${suiteId}\` (e.g. ${sample}${all.length > 12 ? ", …" : ""}).`);
  }
  if (!ids.length) throw new CladeError("invalid-argument", "The task list is empty.", "Name at least one task, or leave the list out to use the whole suite.");
  const wanted = new Set(ids);
  return all.filter((t) => wanted.has(t.id));
}

function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
