// One LlamaContext with N sequences (and its LoRA adapters), shared by concurrent chat requests
// through a SequencePool. Disposing it aborts running requests, waits for them, then frees
// every sequence and the context.
import { StepBarrier } from "./stepBarrier";
import type { ChatWrapper, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { ProgressValue } from "../../protocol/engine";
import type { ChatParams, ChatResult, LoraSpec } from "../../protocol/model";
import { renderPrompt, runChat, type ChatRenderEnv } from "./chatRunner";
import { contextCreateError } from "./loadErrors";
import { nativeCallSyntax, type NativeCallSyntax } from "./nativeCall";
import type { LlamaLogRelay } from "./llamaLogRelay";
import { SequencePool } from "./sequencePool";
import { TokenCache } from "./tokenCache";
import { ToolGrammarCache } from "./toolCalls";
import { ToolCallTexts } from "./toolCallTexts";

export interface ContextSettings {
  /** Per sequence (node-llama-cpp's unit): a size, or a range node-llama-cpp fits to free memory. */
  contextPerSequence: number | { min: number; max: number };
  sequences: number;
  threads: number;
  lora: Required<LoraSpec>[];
}

export class ModelContext {
  private readonly stopAll = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  private readonly callTexts = new ToolCallTexts();
  private readonly tokens: TokenCache;
  /** One per context: its sequences' tool-call generations step together (stepBarrier.ts). */
  private readonly barrier: StepBarrier | undefined;
  private readonly native: NativeCallSyntax | undefined;
  private disposed = false;

  private constructor(
    readonly context: LlamaContext,
    readonly settings: ContextSettings,
    private readonly sequences: LlamaContextSequence[],
    private readonly pool: SequencePool<LlamaContextSequence>,
    private readonly chatWrapper: ChatWrapper,
    private readonly functionCalling: boolean,
    private readonly grammars: ToolGrammarCache,
  ) {
    this.tokens = new TokenCache(context.model.tokenizer);
    this.barrier = settings.sequences > 1 ? new StepBarrier() : undefined;
    const template = (context.model.fileInfo.metadata as { tokenizer?: { chat_template?: string } }).tokenizer?.chat_template;
    this.native = functionCalling ? nativeCallSyntax(chatWrapper, template) : undefined;
  }

  static async create(
    model: LlamaModel,
    settings: ContextSettings,
    env: { chatWrapper: ChatWrapper; functionCalling: boolean; relay: LlamaLogRelay },
    opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void },
  ): Promise<ModelContext> {
    const mark = env.relay.mark();
    let context: LlamaContext;
    try {
      context = await model.createContext({
        sequences: settings.sequences,
        contextSize: settings.contextPerSequence,
        threads: settings.threads,
        createSignal: opts.signal,
        // A range is shrunk towards its min when memory is short; a fixed size fails clearly instead.
        failedCreationRemedy: typeof settings.contextPerSequence === "number" ? false : { retries: 6, autoContextSizeShrink: 0.16 },
        ...(settings.lora.length > 0
          ? {
              lora: {
                adapters: settings.lora.map((lora) => ({ filePath: lora.file, scale: lora.scale })),
                onLoadProgress: (p: number) => opts.onProgress?.({ title: "Attaching LoRA adapters", percentage: p * 100 }),
              },
            }
          : {}),
      });
    } catch (error) {
      throw contextCreateError(error, env.relay.linesSince(mark), settings.lora.length > 0, opts.signal);
    }
    const sequences = Array.from({ length: settings.sequences }, () => context.getSequence());
    return new ModelContext(context, settings, sequences, new SequencePool(sequences), env.chatWrapper, env.functionCalling, new ToolGrammarCache(model.llama));
  }

  get busySequences(): number {
    return this.pool.busy;
  }

  get waitingRequests(): number {
    return this.pool.waiting;
  }

  async chat(params: ChatParams, opts: { signal?: AbortSignal; onText?: (chunk: string) => void; startedAt: number }): Promise<ChatResult> {
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.stopAll.signal]) : this.stopAll.signal;
    const render: ChatRenderEnv = { chatWrapper: this.chatWrapper, functionCalling: this.functionCalling, grammars: this.grammars, callTexts: this.callTexts, tokenizer: this.tokens.tokenizer, native: this.native };
    const prompt = await this.promptForChoice(render, params);
    const affinity = prompt && ((sequence: LlamaContextSequence) => sequence.compareContextTokens(prompt).firstDifferentIndex);
    const lease = await this.pool.acquire({ sessionId: params.sessionId, signal, affinity });
    const run = runChat(
      { ...render, sequence: lease.sequence, defaultMaxTokens: this.context.contextSize, barrier: this.barrier },
      params,
      { signal, onText: opts.onText, startedAt: opts.startedAt, prompt },
    );
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
      lease.release();
    }
  }

  /**
   * A request that starts a conversation (no sequence of its own yet) goes to the free sequence
   * whose cached tokens share the longest prefix with its prompt: agent runs of one version share
   * the system prompt and tool definitions, which then are not evaluated again.
   */
  private async promptForChoice(render: ChatRenderEnv, params: ChatParams): Promise<Token[] | undefined> {
    if (this.pool.size < 2 || this.pool.hasSession(params.sessionId)) return undefined;
    return renderPrompt(render, params).catch(() => undefined);
  }

  endSession(sessionId: string): void {
    this.pool.endSession(sessionId);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopAll.abort();
    this.pool.dispose();
    await Promise.allSettled([...this.running]);
    for (const sequence of this.sequences) if (!sequence.disposed) await sequence.dispose();
    if (!this.context.disposed) await this.context.dispose();
  }
}
