// The reference of `clade bench inference`: the same model driven directly by node-llama-cpp, P
// sequences of one context evaluated concurrently (node-llama-cpp puts the sequences' pending
// tokens into one llama_decode batch), with no agent, RPC, chat rendering, grammar or tool work.
// It replays the schedule the engine run produced: per session and turn, the prompt tokens the
// engine actually had to evaluate and the number of tokens it generated, with the same sampling
// temperature and seeds.
import type { ToolDefinition } from "../../protocol/model";
import { ToolGrammarCache } from "../model/toolCalls";
import type { LlamaContext, LlamaContextSequence, LlamaGrammar, LlamaModel, Token } from "node-llama-cpp";

export interface TurnWork {
  /** Prompt tokens not in the KV cache (evaluated this turn). */
  newPromptTokens: number;
  completionTokens: number;
}

export interface SessionWork {
  /** Prompt tokens the engine found cached on its first turn (prefilled here before timing). */
  cachedAtStart: number;
  turns: TurnWork[];
  seed: number;
}

export interface DirectContext {
  context: LlamaContext;
  sequences: LlamaContextSequence[];
}

export class DirectDecoder {
  private constructor(
    readonly model: LlamaModel,
    private readonly filler: Token[],
    private readonly grammar: LlamaGrammar,
  ) {}

  /** `tools`: the grammar is the one the engine uses for a "required" call of one of them. */
  static async load(file: string, tools: readonly ToolDefinition[]): Promise<DirectDecoder> {
    // Imported here, not at the top: the CLI bundle must not load llama.cpp for its other commands.
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, maxThreads: 0, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
    const text = "You are a careful coding agent. Fix the bug in src/math.js so that the tests pass. ";
    return new DirectDecoder(model, model.tokenize(text.repeat(64)), await new ToolGrammarCache(llama).get(tools));
  }

  /** A context shaped like the engine's: `sequences` sequences of `contextPerSequence` tokens. */
  async createContext(sequences: number, contextPerSequence: number, threads: number): Promise<DirectContext> {
    const context = await this.model.createContext({ sequences, contextSize: contextPerSequence, threads, failedCreationRemedy: false });
    return { context, sequences: Array.from({ length: sequences }, () => context.getSequence()) };
  }

  /** Replays `work` (one entry per session) concurrently; returns the wall time and generated tokens. */
  async replay(direct: DirectContext, work: readonly SessionWork[], temperature: number): Promise<{ ms: number; generated: number }> {
    const sequences = direct.sequences.slice(0, work.length);
    await Promise.all(sequences.map((sequence) => sequence.clearHistory()));
    await Promise.all(sequences.map((sequence, i) => (work[i].cachedAtStart > 0 ? sequence.evaluateWithoutGeneratingNewTokens(this.tokens(work[i].cachedAtStart)) : undefined)));
    const started = performance.now();
    const counts = await Promise.all(sequences.map((sequence, i) => this.session(sequence, work[i], temperature)));
    return { ms: performance.now() - started, generated: counts.reduce((a, b) => a + b, 0) };
  }

  private async session(sequence: LlamaContextSequence, work: SessionWork, temperature: number): Promise<number> {
    let generated = 0;
    for (const [index, turn] of work.turns.entries()) {
      const prompt = this.tokens(Math.max(1, turn.newPromptTokens));
      if (turn.completionTokens === 0) {
        await sequence.evaluateWithoutGeneratingNewTokens(prompt);
        continue;
      }
      generated += await this.generate(sequence, prompt, turn.completionTokens, { temperature, seed: work.seed + index });
    }
    return generated;
  }

  /** Exactly `count` grammar-constrained tokens (several calls if one completes early). */
  private async generate(sequence: LlamaContextSequence, prompt: Token[], count: number, sampling: { temperature: number; seed: number }): Promise<number> {
    const { LlamaGrammarEvaluationState } = await import("node-llama-cpp");
    let done = 0;
    let input = prompt;
    while (done < count) {
      const before = done;
      const grammarEvaluationState = new LlamaGrammarEvaluationState({ model: this.model, grammar: this.grammar });
      for await (const token of sequence.evaluate(input, { ...sampling, grammarEvaluationState })) {
        void token;
        if (++done >= count) break;
      }
      if (done === before) break; // the grammar allowed nothing: do not loop forever
      input = this.tokens(1);
    }
    return done;
  }

  /**
   * Time to the first generated token when `cached` tokens are already in the sequence's KV cache
   * and `fresh` new ones are evaluated (the same grammar and sampling as a "required" call).
   */
  async firstTokenMs(direct: DirectContext, cached: number, fresh: number): Promise<number> {
    const { LlamaGrammarEvaluationState } = await import("node-llama-cpp");
    const sequence = direct.sequences[0];
    await sequence.clearHistory();
    if (cached > 0) await sequence.evaluateWithoutGeneratingNewTokens(this.tokens(cached));
    const grammarEvaluationState = new LlamaGrammarEvaluationState({ model: this.model, grammar: this.grammar });
    const started = performance.now();
    for await (const token of sequence.evaluate(this.tokens(Math.max(1, fresh)), { temperature: 0.3, seed: 1, grammarEvaluationState })) {
      void token;
      break;
    }
    return performance.now() - started;
  }

  private tokens(count: number): Token[] {
    const out: Token[] = [];
    while (out.length < count) out.push(...this.filler.slice(0, count - out.length));
    return out;
  }

  async dispose(): Promise<void> {
    if (!this.model.disposed) await this.model.dispose();
  }
}
