// Learning recipes: which examples a LoRA adapter is trained on, built from attempts at tasks
// (sampled trajectories of the choice family, or agent runs in the archive). Each recipe turns a
// set of attempt trajectories into weighted examples; the trainer minimises the weighted negative
// log-likelihood of the trained steps (or, for dpo, the DPO loss on preference pairs).
//
// A trajectory is a sequence of steps (the agent's actions) separated by the environment's
// feedback; it passed if its last step solved the task. Steps are compared by identity (`key`), so
// "runs sharing a state" means runs whose first k steps are the same.

export const RECIPES = ["sft", "rise", "splice", "targeted", "weighted", "dpo"] as const;
export type Recipe = (typeof RECIPES)[number];

export const RECIPE_SUMMARIES: Record<Recipe, string> = {
  sft: "fine-tune on passed runs (STaR / rejection sampling): every step of a passed run is trained",
  rise: "RISE: a failed attempt + the feedback + an instruction to retry -> a passing attempt at the same task; only the retry is trained",
  splice: "Agent-R: a failed run's prefix up to its first wrong step, joined to a passing sibling's continuation from there; only the continuation is trained",
  targeted: "failures clustered by signature; passed runs of the clusters the version fails most are drawn more often",
  weighted: "every step weighted by its Monte Carlo advantage from sibling runs (pass rate after the step minus before), negative advantages not trained",
  dpo: "DPO on preference pairs (a passing vs a failing attempt at the same task), the reference model = the base (+ the adapter it starts from)",
};

export function isRecipe(value: unknown): value is Recipe {
  return typeof value === "string" && (RECIPES as readonly string[]).includes(value);
}

export interface Trajectory {
  /** Task identity; recipes pair and compare attempts at the same task. */
  task: string;
  /** The agent's steps in order; a step's `key` identifies it among sibling runs' steps. */
  steps: readonly string[];
  passed: boolean;
  /** Failure signature (failing test names, error class, ...); recipes `targeted` clusters by it. */
  signature?: string;
}

/** One training sequence: the trajectory prefix it replays and, per step, how much that step's tokens weigh. */
export interface RecipeExample {
  task: string;
  /** Steps in order (the environment's feedback goes between consecutive steps when rendered). */
  steps: string[];
  /** Loss weight of each step's tokens (0: context only). Same length as steps. */
  weights: number[];
}

export interface PreferencePair {
  task: string;
  /** The shared prefix of steps (context), then the chosen and rejected continuations. */
  prefix: string[];
  chosen: string[];
  rejected: string[];
}

export interface RecipeData {
  recipe: Recipe;
  examples: RecipeExample[];
  pairs: PreferencePair[];
  /** What was built and dropped, with reasons (the dataset manifest's counts). */
  counts: Record<string, number>;
  /** How the recipe's choices were made (estimators, reductions), for the manifest and the closing note. */
  notes: string[];
  /** targeted: the failure clusters, worst first. */
  clusters?: FailureCluster[];
}

export interface FailureCluster {
  signature: string;
  failures: number;
  runs: number;
  failureRate: number;
  tasks: string[];
}

export interface RecipeOptions {
  /** rise: the temperature T of the reward weights exp(r / T) (RISE's reward-weighted regression). Default 1. */
  temperature?: number;
  /** targeted: how much more the worst cluster is drawn than an average one at most. Default 4. */
  maxOversample?: number;
}

const prefixKey = (steps: readonly string[], k: number) => JSON.stringify(steps.slice(0, k));

function byTask(trajectories: readonly Trajectory[]): Map<string, Trajectory[]> {
  const groups = new Map<string, Trajectory[]>();
  for (const t of trajectories) {
    const list = groups.get(t.task) ?? [];
    list.push(t);
    groups.set(t.task, list);
  }
  return groups;
}

function dedupeExamples(examples: RecipeExample[], counts: Record<string, number>): RecipeExample[] {
  const seen = new Set<string>();
  const kept: RecipeExample[] = [];
  for (const e of examples) {
    const key = JSON.stringify([e.task, e.steps, e.weights]);
    if (seen.has(key)) {
      counts.duplicates = (counts.duplicates ?? 0) + 1;
      continue;
    }
    seen.add(key);
    kept.push(e);
  }
  return kept;
}

/** Builds the recipe's training data from attempts at tasks. Pure: same input, same output. */
export function buildRecipeData(recipe: Recipe, trajectories: readonly Trajectory[], options: RecipeOptions = {}): RecipeData {
  const counts: Record<string, number> = { trajectories: trajectories.length, passed: trajectories.filter((t) => t.passed).length };
  const data = (examples: RecipeExample[], notes: string[], extra: Partial<RecipeData> = {}): RecipeData => {
    // targeted repeats examples on purpose (after deduplicating the runs it draws from).
    const kept = recipe === "targeted" ? examples : dedupeExamples(examples, counts);
    counts.examples = kept.length;
    return { recipe, examples: kept, pairs: [], counts, notes, ...extra };
  };
  switch (recipe) {
    case "sft":
      return data(sft(trajectories, counts), ["every step of every passed run, weight 1"]);
    case "rise":
      return data(rise(trajectories, counts), riseNotes(options.temperature ?? 1));
    case "splice":
      return data(splice(trajectories, counts), [
        "first wrong step of a failed run: the first step k after which no passing run of the task shares its state (its first k steps); the prefix before it is context, the continuation of a passing run that shares that prefix is trained",
      ]);
    case "weighted":
      return data(weighted(trajectories, counts), [
        "advantage of step k: P(pass | the run's first k steps) - P(pass | its first k-1 steps), each estimated as the pass rate of the task's runs sharing that prefix (Monte Carlo, no learned critic: the archive's sibling runs are the rollouts); steps with advantage <= 0 get weight 0 (a weighted likelihood cannot push a step down), the others weight = advantage",
        "the trainer normalises the weights within each window, so advantages rank steps within a run; across runs every kept run counts equally",
      ]);
    case "targeted": {
      const { examples, clusters } = targeted(trajectories, counts, options.maxOversample ?? 4);
      return data(examples, [`failures clustered by signature; each distinct passed run is repeated 1 + round((${options.maxOversample ?? 4} - 1) * (r - r_min) / (r_max - r_min)) times, r = the failure rate of its task's worst cluster: the worst clusters are drawn ${options.maxOversample ?? 4}x as often as the best`], { clusters });
    }
    case "dpo": {
      const pairs = dpoPairs(trajectories, counts);
      counts.pairs = pairs.length;
      return { recipe, examples: [], pairs, counts, notes: ["pairs: for a passing and a failing run of the same task, the shared prefix, then the first step where they part: chosen = the passing run's step, rejected = the failing run's (step-level; the steps after it are left out)"] };
    }
  }
}

function sft(trajectories: readonly Trajectory[], counts: Record<string, number>): RecipeExample[] {
  const out: RecipeExample[] = [];
  for (const t of trajectories) {
    if (!t.passed) {
      counts.failedDropped = (counts.failedDropped ?? 0) + 1;
      continue;
    }
    out.push({ task: t.task, steps: [...t.steps], weights: t.steps.map(() => 1) });
  }
  return out;
}

function riseNotes(temperature: number): string[] {
  return [
    `reward-weighted regression: each target weighs exp(r / T) with T = ${temperature}; with pass/fail rewards only passing targets are kept, all at exp(1 / T), and the trainer's per-window normalisation makes that a constant: RISE reduces to plain likelihood on the improved attempts, conditioned on the failed one and its feedback`,
    "examples: a first attempt that passed (no history), and for every distinct failed first step of the task, that step + the feedback -> the task's passing first attempt (or, when none passed first, a passing run's last step)",
  ];
}

function rise(trajectories: readonly Trajectory[], counts: Record<string, number>): RecipeExample[] {
  const out: RecipeExample[] = [];
  for (const [task, runs] of byTask(trajectories)) {
    const passing = runs.filter((r) => r.passed);
    if (passing.length === 0) {
      counts.tasksWithoutPass = (counts.tasksWithoutPass ?? 0) + 1;
      continue;
    }
    // The improved attempts: the steps that solved the task (passing runs' last steps), all r = 1.
    const targets = [...new Set(passing.map((r) => r.steps[r.steps.length - 1]))];
    for (const target of targets) if (passing.some((r) => r.steps.length === 1 && r.steps[0] === target)) out.push({ task, steps: [target], weights: [1] });
    // The failed attempts: first steps that did not solve the task.
    const wrong = [...new Set(runs.filter((r) => !r.passed || r.steps.length > 1).map((r) => r.steps[0]))].filter((step) => !targets.includes(step));
    for (const step of wrong) for (const target of targets) out.push({ task, steps: [step, target], weights: [0, 1] });
    counts.corrections = (counts.corrections ?? 0) + wrong.length * targets.length;
  }
  return out;
}

function splice(trajectories: readonly Trajectory[], counts: Record<string, number>): RecipeExample[] {
  const out: RecipeExample[] = [];
  for (const [task, runs] of byTask(trajectories)) {
    const passing = runs.filter((r) => r.passed);
    for (const failed of runs.filter((r) => !r.passed)) {
      if (passing.length === 0) {
        counts.noPassingSibling = (counts.noPassingSibling ?? 0) + 1;
        continue;
      }
      const k = firstWrongStep(failed, passing);
      // A passing run sharing the failed run's first k steps (k = 0: any passing run).
      const sibling = passing.find((p) => prefixKey(p.steps, k) === prefixKey(failed.steps, k) && p.steps.length > k);
      if (!sibling) {
        counts.noContinuation = (counts.noContinuation ?? 0) + 1;
        continue;
      }
      const steps = [...failed.steps.slice(0, k), ...sibling.steps.slice(k)];
      out.push({ task, steps, weights: steps.map((_, i) => (i < k ? 0 : 1)) });
      counts.spliced = (counts.spliced ?? 0) + 1;
    }
  }
  return out;
}

/**
 * The failed run's first wrong step, as the number of steps before it: the largest k such that some
 * passing run shares its first k steps (so step k+1, counted from 1, is the first after which no
 * passing run shares its state). 0 when even its first step is on no passing run.
 */
export function firstWrongStep(failed: Trajectory, passing: readonly Trajectory[]): number {
  let k = 0;
  while (k < failed.steps.length && passing.some((p) => p.steps.length > k && prefixKey(p.steps, k + 1) === prefixKey(failed.steps, k + 1))) k++;
  return Math.min(k, failed.steps.length - 1);
}

/** Monte Carlo advantage of each step: pass rate of runs sharing the prefix through the step minus through the step before. */
export function stepAdvantages(run: Trajectory, siblings: readonly Trajectory[]): number[] {
  const passRate = (k: number): number => {
    const sharing = siblings.filter((s) => s.steps.length >= k && prefixKey(s.steps, k) === prefixKey(run.steps, k));
    return sharing.filter((s) => s.passed).length / sharing.length; // run itself is among its siblings: never 0/0
  };
  return run.steps.map((_, i) => passRate(i + 1) - passRate(i));
}

function weighted(trajectories: readonly Trajectory[], counts: Record<string, number>): RecipeExample[] {
  const out: RecipeExample[] = [];
  for (const [task, runs] of byTask(trajectories)) {
    for (const run of runs) {
      const weights = stepAdvantages(run, runs).map((a) => Math.max(0, round6(a)));
      if (weights.every((w) => w === 0)) {
        counts.noPositiveStep = (counts.noPositiveStep ?? 0) + 1;
        continue;
      }
      out.push({ task, steps: [...run.steps], weights });
    }
  }
  return out;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Failures grouped by signature (default: the task), worst failure rate first. */
export function clusterFailures(trajectories: readonly Trajectory[]): FailureCluster[] {
  const groups = new Map<string, { failures: number; runs: number; tasks: Set<string> }>();
  const signatureOf = (t: Trajectory) => t.signature ?? `task:${t.task}`;
  // A task's runs belong to the signature its failures show most (passing runs carry no signature).
  const taskSignature = new Map<string, string>();
  for (const [task, runs] of byTask(trajectories)) {
    const tally = new Map<string, number>();
    for (const r of runs.filter((x) => !x.passed)) tally.set(signatureOf(r), (tally.get(signatureOf(r)) ?? 0) + 1);
    const top = [...tally.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    taskSignature.set(task, top ? top[0] : `task:${task}`);
  }
  for (const t of trajectories) {
    const signature = t.passed ? taskSignature.get(t.task)! : signatureOf(t);
    const g = groups.get(signature) ?? { failures: 0, runs: 0, tasks: new Set<string>() };
    g.runs++;
    if (!t.passed) g.failures++;
    g.tasks.add(t.task);
    groups.set(signature, g);
  }
  return [...groups.entries()]
    .map(([signature, g]) => ({ signature, failures: g.failures, runs: g.runs, failureRate: g.failures / g.runs, tasks: [...g.tasks].sort() }))
    .filter((c) => c.failures > 0)
    .sort((a, b) => b.failureRate - a.failureRate || b.failures - a.failures || (a.signature < b.signature ? -1 : 1));
}

function targeted(trajectories: readonly Trajectory[], counts: Record<string, number>, maxOversample: number): { examples: RecipeExample[]; clusters: FailureCluster[] } {
  const clusters = clusterFailures(trajectories);
  const rateOfTask = new Map<string, number>();
  for (const c of clusters) for (const task of c.tasks) rateOfTask.set(task, Math.max(rateOfTask.get(task) ?? 0, c.failureRate));
  const rates = [...rateOfTask.values()];
  const [low, high] = rates.length ? [Math.min(...rates), Math.max(...rates)] : [0, 0];
  const out: RecipeExample[] = [];
  const passed = dedupeExamples(trajectories.filter((t) => t.passed).map((t) => ({ task: t.task, steps: [...t.steps], weights: t.steps.map(() => 1) })), counts);
  for (const t of passed) {
    // Linear in the task's failure rate: the best-doing cluster once, the worst maxOversample times.
    const rate = rateOfTask.get(t.task) ?? low;
    const repeat = high > low ? 1 + Math.round(((maxOversample - 1) * (rate - low)) / (high - low)) : 1;
    for (let i = 0; i < repeat; i++) out.push(t);
    counts.oversampled = (counts.oversampled ?? 0) + (repeat - 1);
  }
  return { examples: out, clusters };
}

function dpoPairs(trajectories: readonly Trajectory[], counts: Record<string, number>): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  const seen = new Set<string>();
  for (const [task, runs] of byTask(trajectories)) {
    const passing = runs.filter((r) => r.passed);
    const failing = runs.filter((r) => !r.passed);
    if (passing.length === 0 || failing.length === 0) {
      counts.tasksWithoutPair = (counts.tasksWithoutPair ?? 0) + 1;
      continue;
    }
    for (const good of passing) {
      for (const bad of failing) {
        let k = 0;
        while (k < good.steps.length && k < bad.steps.length && good.steps[k] === bad.steps[k]) k++;
        if (k >= good.steps.length || k >= bad.steps.length) continue; // one is a prefix of the other: no preference between steps
        // Step-level: only the first step where they part (what follows a wrong step is not a choice
        // between the same states, and a passing run's later steps may themselves be wrong ones).
        const pair = { task, prefix: good.steps.slice(0, k), chosen: [good.steps[k]], rejected: [bad.steps[k]] };
        const key = JSON.stringify(pair);
        if (seen.has(key)) continue;
        seen.add(key);
        pairs.push(pair);
      }
    }
  }
  return pairs;
}
