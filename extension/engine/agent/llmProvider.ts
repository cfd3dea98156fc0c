// Where an agent run's model calls go: the engine's ModelHost (real llama.cpp), or a scripted
// provider for deterministic tests of loop logic.
import type { ChatParams, ChatResult } from "../../protocol/model";

export interface LlmProvider {
  chat(params: ChatParams, options?: { signal?: AbortSignal }): Promise<ChatResult>;
  /** Frees a session's sequence when a run ends (optional). */
  endSession?(sessionId: string): void;
}
