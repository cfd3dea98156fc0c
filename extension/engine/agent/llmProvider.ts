// Where an agent run's model calls go: the engine's ModelHost (real llama.cpp), or a scripted
// provider for deterministic tests of loop logic.
import type { SamplingOverride } from "../../protocol/engine";
import type { ChatParams, ChatResult } from "../../protocol/model";

export interface LlmProvider {
  chat(params: ChatParams, options?: { signal?: AbortSignal }): Promise<ChatResult>;
  /** Frees a session's sequence when a run ends (optional). */
  endSession?(sessionId: string): void;
}

/** A provider whose calls all use the given sampling (e.g. temperature 0), whatever the agent asks for. */
export function withSampling(provider: LlmProvider, sampling: SamplingOverride | undefined): LlmProvider {
  if (!sampling || (sampling.temperature === undefined && sampling.seed === undefined)) return provider;
  const forced = Object.fromEntries(Object.entries(sampling).filter(([, value]) => value !== undefined)) as SamplingOverride;
  return {
    chat: (params, options) => provider.chat({ ...params, ...forced }, options),
    ...(provider.endSession ? { endSession: (sessionId: string) => provider.endSession?.(sessionId) } : {}),
  };
}
