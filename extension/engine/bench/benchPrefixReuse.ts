// `clade bench prefix-reuse`: is the shared prefix (system prompt + tool definitions, then the
// conversation so far) evaluated once per sequence and reused? Time to first token of turns 2+ of
// an agent-shaped run against its cold turn 1, and of turn 1 of later runs (same system prompt and
// tools, another task) against the same cold turn 1. Each repetition starts from a freshly loaded
// context with 2 sequences, so a later run can land on a sequence that never saw the prefix unless
// the engine picks the one whose cache matches.
import { Requests } from "../../protocol/engine";
import { EngineClient } from "../rpc/engineClient";
import { benchTools, runAgentSession, type TurnRecord } from "./agentWorkload";
import { DirectDecoder } from "./directDecode";
import { benchModel, type BenchArchitecture, type BenchModel } from "./benchModels";
import { median, round, type BenchReport } from "./benchReport";

export interface BenchPrefixReuseOptions {
  enginePath: string;
  models?: BenchModel["preset"][];
  repetitions?: number;
  turns?: number;
  maxTokens?: number;
  threads?: number;
  /** Runs after the first one, per repetition. */
  laterRuns?: number;
  modelDir?: string;
  /** GGUF architecture of the generated models (see BenchModel). */
  architecture?: BenchArchitecture;
  log?: (line: string) => void;
}

const sequences = 2;
const contextPerSequence = 1024;

export async function benchPrefixReuse(options: BenchPrefixReuseOptions): Promise<BenchReport[]> {
  const reports: BenchReport[] = [];
  for (const preset of options.models ?? ["toy", "qwen2.5-0.5b"]) reports.push(...(await benchOneModel(await benchModel(preset, options.modelDir, options.architecture), options)));
  return reports;
}

async function benchOneModel(model: BenchModel, options: BenchPrefixReuseOptions): Promise<BenchReport[]> {
  const { repetitions = 3, turns = 4, maxTokens = 48, threads = 1, laterRuns = 2 } = options;
  const client = await EngineClient.start({ enginePath: options.enginePath });
  const runs: TurnRecord[][][] = []; // [repetition][run][turn]
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      await client.request(Requests.unloadModel, undefined);
      await client.request(Requests.loadModel, { model: model.file, threads, sequences, contextSize: sequences * contextPerSequence });
      const repRuns: TurnRecord[][] = [];
      for (let run = 0; run <= laterRuns; run++) {
        const sessionId = `prefix-${rep}-${run}`;
        repRuns.push(await runAgentSession({ chat: (params) => client.request(Requests.chat, params), sessionId, run, turns, maxTokens, seed: 100 * run }));
        await client.request(Requests.endChatSession, { sessionId });
      }
      runs.push(repRuns);
      const ttft = repRuns.map((r) => r.map((t) => round(t.firstTokenMs, 1)).join("/")).join(" | ");
      options.log?.(`[${model.preset} prefix-reuse rep ${rep + 1}/${repetitions}] first-token ms per run/turn: ${ttft}`);
    }
  } finally {
    await client.stop().catch(() => undefined);
    client.dispose();
  }
  const floor = await llamaCppFloor(model, runs, threads);
  const cold = median(runs.map((rep) => rep[0][0].firstTokenMs));
  const laterTurns = median(runs.map((rep) => median(rep[0].slice(1).map((t) => t.firstTokenMs))));
  const laterRunsFirst = median(runs.map((rep) => median(rep.slice(1).map((run) => run[0].firstTokenMs))));
  const inputs = { model: model.preset, architecture: model.architecture, modelFile: model.file, modelSha256: model.sha256, shape: model.shape, threads, sequences, contextPerSequence, turnsPerRun: turns, maxTokensPerTurn: maxTokens, laterRuns };
  const raw = {
    firstTokenMs: runs.map((rep) => rep.map((run) => run.map((t) => round(t.firstTokenMs, 1)))),
    promptTokens: runs.map((rep) => rep.map((run) => run.map((t) => t.promptTokens))),
    cachedPromptTokens: runs.map((rep) => rep.map((run) => run.map((t) => t.cachedPromptTokens))),
  };
  return [
    {
      name: "prefix-reuse", ratio: round(laterTurns / cold), reference: round(cold, 1), measured: round(laterTurns, 1), unit: "ms to first token", repetitions,
      goal: "≤ 0.25 (turns 2+ of a run against its cold turn 1)", inputs, details: { ...raw, llamaCppFloor: floor.laterTurns, llamaCppFloorNote: floor.note },
    },
    {
      name: "prefix-reuse-runs", ratio: round(laterRunsFirst / cold), reference: round(cold, 1), measured: round(laterRunsFirst, 1), unit: "ms to first token", repetitions,
      goal: "turn 1 of a later run with the same system prompt and tools, against a cold turn 1 (the shared prefix is reused across runs)", inputs,
      details: { llamaCppFloor: floor.laterRuns, llamaCppFloorNote: floor.note },
    },
  ];
}

/**
 * What the model alone allows: the same ratios with node-llama-cpp driven directly, evaluating the
 * token counts the engine evaluated (cold turn 1; a later turn's new tokens on top of the cached
 * conversation; a later run's new tokens on top of the cached system prompt). With the engine's
 * reuse perfect, its ratios would equal these; on a tiny model they are far above 0 because a
 * turn's new tokens cost about as much as the cold prompt (and llama.cpp's CPU backend takes ~0.4
 * ms a token for batches under 64 tokens on the toy model, against ~0.04 from 64 up).
 */
async function llamaCppFloor(model: BenchModel, runs: TurnRecord[][][], threads: number): Promise<{ laterTurns: number; laterRuns: number; note: string }> {
  const direct = await DirectDecoder.load(model.file, benchTools);
  try {
    const context = await direct.createContext(1, contextPerSequence, threads);
    const time = async (cached: number, fresh: number) => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) samples.push(await direct.firstTokenMs(context, cached, fresh));
      return median(samples);
    };
    const first = runs[0][0];
    const cold = await time(0, first[0].promptTokens);
    // One sequence: one measurement at a time.
    const sequential = async (turns: TurnRecord[]) => {
      const out: number[] = [];
      for (const t of turns) out.push(await time(t.cachedPromptTokens, t.promptTokens - t.cachedPromptTokens));
      return median(out);
    };
    const laterTurns = await sequential(first.slice(1));
    const laterRuns = await sequential(runs[0].slice(1).map((run) => run[0]));
    await context.context.dispose();
    return {
      laterTurns: round(laterTurns / cold),
      laterRuns: round(laterRuns / cold),
      note: `node-llama-cpp alone on the token counts of repetition 1 (median of 3 each): cold turn 1 ${round(cold, 1)} ms, later turns ${round(laterTurns, 1)} ms, later runs' turn 1 ${round(laterRuns, 1)} ms`,
    };
  } finally {
    await direct.dispose();
  }
}
