// A recipe's training data from agent runs (`clade train --recipe`): every finished run of the scope,
// passed or failed, becomes a trajectory whose steps are its replies (the assistant messages of its
// final conversation); the recipe (recipes.ts) picks and weighs them; each example is a real run's
// conversation rendered as the model host renders it (buildMaskedExample) with per-reply weights
// (splice and dpo weigh the shared prefix 0), each dpo pair two such conversations.
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { CladeError, cancelledError } from "../../../protocol/errors";
import type { ChatMessage } from "../../../protocol/model";
import { defaultMaxTrainWindow, sha256File, trainedContext, vocabularySize, writeAtomically } from "../buildDataset";
import { openDatasetModel, type DatasetModel } from "../datasetModel";
import { finalConversation, type FinalConversation } from "../finalConversation";
import { buildMaskedExample, type MaskedExample } from "../maskedExample";
import { readTrajectory } from "../readTrajectory";
import { failureSignature } from "./failureSignature";
import { buildRecipeData, type FailureCluster, type Recipe, type RecipeData, type Trajectory } from "./recipes";

export interface RecipeDatasetOptions {
  recipe: Recipe;
  /** Trajectory files of finished runs, passed and failed. */
  trajectories: string[];
  modelPath: string;
  modelSha256?: string;
  outDir: string;
  /** The trainer's window: longer examples are dropped (counted as tooLong). Default as buildDataset. */
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface RecipeManifest {
  version: 1;
  /** sft-style lines {"tokens","mask"}, or dpo pairs {"chosen":{...},"rejected":{...}}. */
  format: "clade-lora-jsonl" | "clade-dpo-jsonl";
  recipe: Recipe;
  datasetHash: string;
  model: { file: string; sha256: string; chatWrapper: string; vocabularySize: number };
  maxTokens: number;
  train: { file: string; sha256: string; lines: number; tokens: number; maskedTokens: number; longest: number };
  /** What was read, built and dropped, and why. */
  counts: Record<string, number>;
  notes: string[];
  clusters?: FailureCluster[];
}

interface Source {
  task: string;
  keys: string[];
  conversation: FinalConversation;
  passed: boolean;
  /** Turns after which a new attempt started (the finish before it failed the tests). */
  attemptTurns: number[];
  /** The run's turns: its last reply is turn `turns` (earlier turns may have left the context). */
  turns: number;
}

/** A reply's identity among sibling runs: its text and its tool calls. */
function replyKey(message: ChatMessage): string {
  return JSON.stringify([message.content, (message.toolCalls ?? []).map((c) => [c.name, c.arguments ?? {}])]);
}

export async function buildRecipeDataset(options: RecipeDatasetOptions): Promise<{ train: string; manifestFile: string; manifest: RecipeManifest }> {
  const model = await openDatasetModel(path.resolve(options.modelPath), options.signal);
  try {
    const maxTokens = options.maxTokens ?? Math.min(trainedContext(model) || defaultMaxTrainWindow, defaultMaxTrainWindow);
    const counts: Record<string, number> = {};
    const bump = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
    const sources: Source[] = [];
    const trajectories: Trajectory[] = [];
    for (const file of options.trajectories) {
      if (options.signal?.aborted) throw cancelledError("Building the training dataset");
      const run = await readTrajectory(path.resolve(file)).catch(() => undefined);
      if (!run) { bump("unreadable"); continue; }
      if (!run.ended) { bump("unfinished"); continue; }
      const conversation = finalConversation(run);
      if (!conversation) { bump("noModelCall"); continue; }
      const keys = conversation.messages.filter((m) => m.role === "assistant").map(replyKey);
      sources.push({ task: run.taskId, keys, conversation, passed: run.passed, attemptTurns: run.attemptTurns, turns: run.turns ?? keys.length });
      const signature = failureSignature(run);
      trajectories.push({ task: run.taskId, steps: keys, passed: run.passed, ...(signature ? { signature } : {}) });
    }
    const data = options.recipe === "rise" ? riseData(sources, trajectories.length) : buildRecipeData(options.recipe, trajectories);
    Object.assign(counts, data.counts);
    const startsWith = (s: Source, steps: readonly string[]) => s.keys.length >= steps.length && steps.every((k, i) => k === s.keys[i]);
    const conversationOf = (task: string, steps: readonly string[]) => sources.find((s) => s.task === task && s.keys.length === steps.length && startsWith(s, steps))?.conversation;
    // A run that took these steps first (dpo: its later replies stay in the text, weighted 0).
    const runStartingWith = (task: string, steps: readonly string[]) => sources.find((s) => s.task === task && startsWith(s, steps));
    const render = (conversation: FinalConversation, weights: readonly number[]): MaskedExample | undefined => {
      try {
        const example = buildMaskedExample(model, model.model.tokenizer, conversation, weights);
        if (example.tokens.length > maxTokens + 1) { bump("tooLong"); return undefined; }
        return example;
      } catch (error) {
        if (!CladeError.is(error)) throw error;
        bump("unrenderable");
        return undefined;
      }
    };
    const lines: string[] = [];
    let tokens = 0;
    let maskedTokens = 0;
    let longest = 0;
    const keep = (...examples: MaskedExample[]) => {
      for (const e of examples) {
        tokens += e.tokens.length;
        maskedTokens += e.mask.filter((m) => m > 0).length;
        longest = Math.max(longest, e.tokens.length);
      }
    };
    if (options.recipe === "rise") {
      for (const { conversation, weights } of riseExamples(sources)) {
        const rendered = render(conversation, weights);
        if (!rendered) continue;
        keep(rendered);
        lines.push(JSON.stringify({ tokens: rendered.tokens, mask: rendered.mask }));
      }
    } else if (options.recipe === "dpo") {
      for (const pair of data.pairs) {
        const chosen = runStartingWith(pair.task, [...pair.prefix, ...pair.chosen]);
        const rejected = runStartingWith(pair.task, [...pair.prefix, ...pair.rejected]);
        // Only the pair's own step weighs: the shared prefix and what the run did after are context.
        const weights = (run: Source) => run.keys.map((_, i) => (i === pair.prefix.length ? 1 : 0));
        const c = chosen && render(chosen.conversation, weights(chosen));
        const r = rejected && render(rejected.conversation, weights(rejected));
        if (!c || !r) continue;
        keep(c, r);
        lines.push(JSON.stringify({ chosen: { tokens: c.tokens, mask: c.mask }, rejected: { tokens: r.tokens, mask: r.mask } }));
      }
    } else {
      for (const example of data.examples) {
        const conversation = conversationOf(example.task, example.steps);
        const rendered = conversation && render(conversation, example.weights);
        if (!rendered) continue;
        keep(rendered);
        lines.push(JSON.stringify({ tokens: rendered.tokens, mask: rendered.mask }));
      }
    }
    counts.lines = lines.length;
    if (lines.length === 0) {
      throw new CladeError("invalid-argument", `Recipe ${options.recipe} built no training example from ${options.trajectories.length} runs (${JSON.stringify(counts)}).`,
        options.recipe === "dpo" || options.recipe === "splice" ? "It needs a task with both a passing and a failing run: evaluate more versions or repeat runs." : "Evaluate more versions until some runs pass.");
    }
    const outDir = path.resolve(options.outDir);
    await mkdir(outDir, { recursive: true });
    const text = `${lines.join("\n")}\n`;
    const train = path.join(outDir, "train.jsonl");
    await writeAtomically(train, text);
    const sha256 = createHash("sha256").update(text).digest("hex");
    const modelFile = path.resolve(options.modelPath);
    const manifest: RecipeManifest = {
      version: 1, format: options.recipe === "dpo" ? "clade-dpo-jsonl" : "clade-lora-jsonl", recipe: options.recipe, datasetHash: sha256,
      model: { file: modelFile, sha256: options.modelSha256 ?? (await sha256File(modelFile)), chatWrapper: model.wrapper.wrapperName, vocabularySize: vocabularySize(model as DatasetModel) },
      maxTokens, train: { file: train, sha256, lines: lines.length, tokens, maskedTokens, longest }, counts, notes: data.notes, ...(data.clusters ? { clusters: data.clusters } : {}),
    };
    const manifestFile = path.join(outDir, "manifest.json");
    await writeAtomically(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    return { train, manifestFile, manifest };
  } finally {
    await model.dispose();
  }
}

/**
 * rise on agent runs: runs that passed after a failed attempt (the agent's finish failed its tests,
 * it was shown their output and tried again: seed setting `extraAttempts`) train the replies after
 * the last failed finish, with the failed attempt and the feedback as context; runs that passed at the
 * first attempt train every reply. Replies are matched to turns from the end (the final reply is turn
 * `turns`), since early turns may have left the context.
 */
function riseExamples(sources: readonly Source[]): { conversation: FinalConversation; weights: number[] }[] {
  return sources.filter((s) => s.passed).map((s) => {
    const last = Math.max(0, ...s.attemptTurns);
    const n = s.keys.length;
    return { conversation: s.conversation, weights: s.keys.map((_, i) => (s.turns - (n - 1 - i) > last ? 1 : 0)) };
  });
}

function riseData(sources: readonly Source[], trajectories: number): RecipeData {
  const passed = sources.filter((s) => s.passed);
  const corrections = passed.filter((s) => s.attemptTurns.length > 0).length;
  return {
    recipe: "rise", examples: [], pairs: [],
    counts: { trajectories, passed: passed.length, failedDropped: sources.length - passed.length, corrections, firstAttempt: passed.length - corrections },
    notes: [
      "a run that passed after a failed attempt: the failed attempt and the test output it was shown are context, the replies after it are trained; a run that passed at its first attempt: every reply",
      "reward-weighted regression with pass/fail rewards keeps only passing targets at equal weight exp(1/T): plain likelihood on the improved attempts",
      "runs need a second attempt to correct anything: set extraAttempts in the version's settings (0 by default); with none, rise trains the first-attempt successes only",
    ],
  };
}
