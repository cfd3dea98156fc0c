// `clade bench inference`: aggregate generated tokens/s of P concurrent agent-shaped runs through the
// engine process (JSON-RPC, ModelHost, SequencePool, LlamaChat, grammar-constrained tool calls),
// against the same model driven directly by node-llama-cpp with P sequences of one context and no
// agent, RPC, grammar or tool work, replaying the same prompt and generated lengths (DirectDecoder).
// Interleaved per P (A, B, B, A, …), medians. Also the engine's RSS against a bare node-llama-cpp
// process with the same model and context (separate processes).
import path from "node:path";
import { Requests } from "../../protocol/engine";
import { EngineClient } from "../rpc/engineClient";
import { benchTools, runAgentSession, type TurnRecord } from "./agentWorkload";
import { benchModel, type BenchArchitecture, type BenchModel } from "./benchModels";
import { median, round, type BenchReport } from "./benchReport";
import { DirectDecoder, type SessionWork } from "./directDecode";
import { processCpuMs, processMemory, referenceMemory } from "./processMemory";

export interface BenchInferenceOptions {
  /** dist/engine.mjs. */
  enginePath: string;
  models?: BenchModel["preset"][];
  parallel?: number[];
  repetitions?: number;
  /**
   * Keep adding interleaved repetitions (up to MAX_REPETITIONS) until each side has run this long
   * per P (default 3 s): a toy-model round is ~130 ms, where scheduling noise on a shared 2-core
   * machine moves single rounds by ±15%.
   */
  minSeconds?: number;
  turns?: number;
  maxTokens?: number;
  threads?: number;
  contextPerSequence?: number;
  /** Where generated models are kept between runs. */
  modelDir?: string;
  /** GGUF architecture of the generated models (see BenchModel). */
  architecture?: BenchArchitecture;
  log?: (line: string) => void;
}

interface Round {
  ms: number;
  generated: number;
  /** CPU time of the processes on the path (engine + bench process), when /proc is there. */
  cpuMs?: number;
}

const temperature = 0.3;
const MAX_REPETITIONS = 60;

export async function benchInference(options: BenchInferenceOptions): Promise<BenchReport[]> {
  const reports: BenchReport[] = [];
  for (const preset of options.models ?? ["toy", "qwen2.5-0.5b"]) {
    const model = await benchModel(preset, options.modelDir, options.architecture);
    reports.push(...(await benchOneModel(model, options)));
  }
  return reports;
}

async function benchOneModel(model: BenchModel, options: BenchInferenceOptions): Promise<BenchReport[]> {
  const { repetitions = 3, minSeconds = 3, turns = 3, maxTokens = 48, threads = 1, contextPerSequence = 1024 } = options;
  const log = options.log ?? (() => undefined);
  const client = await EngineClient.start({ enginePath: options.enginePath });
  const direct = await DirectDecoder.load(model.file, benchTools);
  const reports: BenchReport[] = [];
  try {
    let lastSequences = 1;
    /** Tokens each sequence of the engine's context held after its last round (the reference fills its KV cache as far). */
    let lastSequenceTokens = 0;
    for (const p of options.parallel ?? [1, 2, 4]) {
      lastSequences = p;
      await client.request(Requests.loadModel, { model: model.file, threads, sequences: p, contextSize: p * contextPerSequence });
      const context = await direct.createContext(p, contextPerSequence, threads);
      try {
        let schedule: SessionWork[] = [];
        const engine: Round[] = [];
        const reference: Round[] = [];
        const engineRound = async (tag: string) => {
          const round = await withCpu(() => runEngineRound(client, p, { turns, maxTokens, tag }), client.pid);
          schedule = round.schedule;
          lastSequenceTokens = round.sequenceTokens;
          return round;
        };
        const directRound = () => withCpu(() => direct.replay(context, schedule, temperature));
        await engineRound("warmup"); // also fills the shared prefix, as in steady-state use
        await directRound();
        const spent = (rounds: Round[]) => rounds.reduce((sum, r) => sum + r.ms, 0) / 1000;
        for (let rep = 0; rep < repetitions || (rep < MAX_REPETITIONS && Math.min(spent(engine), spent(reference)) < minSeconds); rep++) {
          const order = rep % 2 ? ["direct", "engine"] : ["engine", "direct"];
          for (const side of order) {
            if (side === "engine") engine.push(await engineRound(`r${rep}`));
            else reference.push(await directRound());
          }
          log(`[${model.preset} P=${p} rep ${rep + 1}] engine ${tps(engine.at(-1)!)} tok/s, direct ${tps(reference.at(-1)!)} tok/s`);
        }
        reports.push(report(model, p, { engine, reference, schedule, repetitions: engine.length, turns, maxTokens, threads, contextPerSequence }));
      } finally {
        await context.context.dispose();
      }
    }
    reports.push(await memoryReport(model, client, { sequences: lastSequences, contextPerSequence, threads, tokensPerSequence: lastSequenceTokens, cwd: path.dirname(path.dirname(options.enginePath)) }));
  } finally {
    await client.stop().catch(() => undefined);
    client.dispose();
    await direct.dispose();
  }
  return reports;
}

/** P agent-shaped runs at once through the engine; the schedule is what the reference replays. */
async function runEngineRound(client: EngineClient, p: number, o: { turns: number; maxTokens: number; tag: string }): Promise<Round & { schedule: SessionWork[]; sequenceTokens: number }> {
  const started = performance.now();
  const sessions: TurnRecord[][] = await Promise.all(
    Array.from({ length: p }, (_, s) =>
      runAgentSession({
        chat: (params) => client.request(Requests.chat, params),
        sessionId: `bench-${o.tag}-${p}-${s}`,
        run: s,
        turns: o.turns,
        maxTokens: o.maxTokens,
        seed: 1000 * s,
        temperature,
      }),
    ),
  );
  const ms = performance.now() - started;
  await Promise.all(sessions.map((_, s) => client.request(Requests.endChatSession, { sessionId: `bench-${o.tag}-${p}-${s}` })));
  const schedule = sessions.map((records, s) => ({
    cachedAtStart: records[0]?.cachedPromptTokens ?? 0,
    seed: 1000 * s,
    turns: records.map((r) => ({ newPromptTokens: r.promptTokens - r.cachedPromptTokens, completionTokens: r.completionTokens })),
  }));
  const sequenceTokens = Math.max(0, ...sessions.map((records) => (records.at(-1) ? records.at(-1)!.promptTokens + records.at(-1)!.completionTokens : 0)));
  return { ms, generated: sessions.flat().reduce((sum, r) => sum + r.completionTokens, 0), schedule, sequenceTokens };
}

/** Adds the CPU time this process (and `pid`) used while `run` ran. */
async function withCpu<T extends Round>(run: () => Promise<T>, pid?: number): Promise<T> {
  const before = process.cpuUsage();
  const otherBefore = pid ? await processCpuMs(pid) : 0;
  const result = await run();
  const own = process.cpuUsage(before);
  const otherAfter = pid ? await processCpuMs(pid) : 0;
  if (otherBefore === undefined || otherAfter === undefined) return result;
  return { ...result, cpuMs: (own.user + own.system) / 1000 + (otherAfter - otherBefore) };
}

const cpuTps = (r: Round) => (r.cpuMs ? round((r.generated / r.cpuMs) * 1000, 2) : Number.NaN);
const tps = (r: Round) => round((r.generated / r.ms) * 1000, 2);

function report(
  model: BenchModel,
  p: number,
  r: { engine: Round[]; reference: Round[]; schedule: SessionWork[]; repetitions: number; turns: number; maxTokens: number; threads: number; contextPerSequence: number },
): BenchReport {
  const measured = median(r.engine.map(tps));
  const reference = median(r.reference.map(tps));
  const turns = r.schedule.flatMap((s) => s.turns);
  return {
    name: "inference",
    ratio: round(measured / reference),
    reference: round(reference, 2),
    measured: round(measured, 2),
    unit: "generated tokens/s (aggregate)",
    repetitions: r.repetitions,
    goal: "≥ 0.90 at every P",
    inputs: {
      model: model.preset, architecture: model.architecture, modelFile: model.file, modelSha256: model.sha256, shape: model.shape, parallel: p, threads: r.threads,
      contextPerSequence: r.contextPerSequence, turnsPerRun: r.turns, maxTokensPerTurn: r.maxTokens, temperature, seeds: "1000·run + turn",
      measuredPath: "engine process over JSON-RPC: ModelHost → SequencePool → LlamaChat, toolChoice required (grammar), one session per run",
      referencePath: "node-llama-cpp in the bench process: P sequences of one context evaluated concurrently, same prompt/generated lengths, same tool-call grammar and sampling",
    },
    details: {
      note: "tokens/s are wall-clock; cpuRatio divides generated tokens by the CPU time of the processes on each path (engine + bench client; bench process for the reference), which other load on the machine does not inflate",
      cpuRatio: round(median(r.engine.map(cpuTps)) / median(r.reference.map(cpuTps))),
      pairedRatios: r.engine.map((e, i) => round(tps(e) / tps(r.reference[i]))),
      engineTokensPerCpuSecond: r.engine.map(cpuTps),
      referenceTokensPerCpuSecond: r.reference.map(cpuTps),
      engineTokensPerSecond: r.engine.map(tps),
      referenceTokensPerSecond: r.reference.map(tps),
      engineMs: r.engine.map((x) => round(x.ms, 1)),
      referenceMs: r.reference.map((x) => round(x.ms, 1)),
      generatedPerRound: r.engine.map((x) => x.generated),
      evaluatedPromptTokensPerRound: turns.reduce((a, t) => a + t.newPromptTokens, 0),
      cachedPromptTokensAtRunStart: r.schedule.map((s) => s.cachedAtStart),
    },
  };
}

async function memoryReport(model: BenchModel, client: EngineClient, o: { sequences: number; contextPerSequence: number; threads: number; tokensPerSequence: number; cwd: string }): Promise<BenchReport> {
  const engine = client.pid ? await processMemory(client.pid) : undefined;
  const heap = (await client.request(Requests.ping, undefined)).memory;
  const bare = await referenceMemory({ file: model.file, ...o });
  const mb = (bytes: number | undefined) => (bytes === undefined ? null : round(bytes / 2 ** 20, 1));
  return {
    name: "inference-memory",
    ratio: engine ? round(engine.rssBytes / bare.rssBytes) : null,
    reference: mb(bare.rssBytes),
    measured: mb(engine?.rssBytes),
    unit: "MiB RSS",
    repetitions: 1,
    goal: "engine RSS with the model loaded ≤ 1.1 × node-llama-cpp alone",
    inputs: { model: model.preset, architecture: model.architecture, modelFile: model.file, sizeBytes: model.sizeBytes, sequences: o.sequences, contextPerSequence: o.contextPerSequence, threads: o.threads, tokensPerSequence: o.tokensPerSequence },
    details: { enginePeakMiB: mb(engine?.peakRssBytes), referencePeakMiB: mb(bare.peakRssBytes), engineHeapUsedMiB: mb(heap.heapUsed), engineHeapTotalMiB: mb(heap.heapTotal), engineExternalMiB: mb(heap.external), note: engine ? undefined : "no /proc on this system: engine RSS not measured" },
  };
}
