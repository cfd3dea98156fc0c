// Model-host types: what a caller asks of the engine's model host and what it gets back.

export type GpuChoice = "auto" | "cuda" | "metal" | "vulkan" | "cpu";
/** "remote": an inference server (an `openai:` model) does the compute. */
export type Backend = "cpu" | "cuda" | "metal" | "vulkan" | "remote";

export interface LoraSpec {
  /** Path of a GGUF LoRA adapter made for the loaded model. */
  file: string;
  /** Scale the adapter is applied with (default 1). */
  scale?: number;
}

export interface ModelSpec {
  /**
   * Absolute path to a .gguf file, an `hf:` / `http(s):` URI to download, or a model on an inference
   * server: `openai:http://HOST:PORT/v1#MODEL` (llama-server, vLLM, Ollama, LM Studio).
   */
  model: string;
  gpu?: GpuChoice;
  /** -1 (or undefined) = as many as fit; 0 = CPU only. */
  gpuLayers?: number;
  /**
   * Total context size in tokens, shared by all sequences (each gets contextSize / sequences).
   * Prefer contextPerSequence; when both are unset the host sizes each sequence itself (see
   * ModelInfo.contextReason).
   */
  contextSize?: number;
  /** Context per sequence in tokens (what one agent run gets); overrides contextSize. */
  contextPerSequence?: number;
  /** 0 or undefined = the measured default for this machine. */
  threads?: number;
  /** Parallel sequences in the context. */
  sequences?: number;
  /** Adapters attached to the context. */
  lora?: LoraSpec[];
  /** Directory for downloaded models (the extension's global storage, or the CLI cache). */
  cacheDir?: string;
  /** Bearer token for an `openai:` inference server (VS Code SecretStorage, CLI CLADE_API_KEY); never logged. */
  apiKey?: string;
}

export interface ModelInfo {
  file: string;
  sha256?: string;
  sizeBytes: number;
  architecture: string;
  name?: string;
  parameterCount: number;
  layers: number;
  embeddingLength: number;
  vocabularySize: number;
  /** Context length the model was trained with. */
  trainContextLength: number;
  /** Context size actually allocated, and how it is split. */
  contextSize: number;
  sequences: number;
  /** Tokens per sequence (contextSize / sequences): what one agent run gets. */
  contextPerSequence: number;
  /** Why the context is this size (asked for, or sized by the host from the model and memory). */
  contextReason: string;
  threads: number;
  backend: Backend;
  /** Why this backend (the GPU choice, and what auto found). */
  backendReason: string;
  gpuLayers: number;
  /** Raw Jinja template from the GGUF, if any. */
  chatTemplate: string | null;
  /** node-llama-cpp chat wrapper chosen for the model. */
  chatWrapper: string;
  /** Whether that wrapper supports native function calling. */
  functionCalling: boolean;
  lora: LoraSpec[];
  loadMs: number;
}

/** What this machine offers llama.cpp (engine request `system/hardware`, `clade doctor`). */
export interface HardwareInfo {
  /** e.g. "linux-x64". */
  platform: string;
  cpuCores: number;
  /** Cores llama.cpp counts for math (no hyper-threads). */
  cpuMathCores: number;
  totalRamBytes: number;
  gpuChoice: GpuChoice;
  /** The backend that choice resolves to here. */
  backend: Backend;
  gpuDevices: string[];
  vramTotalBytes: number;
  vramFreeBytes: number;
  backendReason: string;
}

/** The backends the LoRA trainer can train on (Metal: the default binary on macOS links node-llama-cpp's Metal build). */
export type TrainerBackend = "cpu" | "cuda" | "vulkan" | "metal";
/** Which trainer executable: native-models/build/clade-lora-train (cpu; Metal on macOS) or clade-lora-train-<variant>. */
export type TrainerVariant = "cpu" | "cuda" | "vulkan";

/**
 * The backend the LoRA trainer uses for a GPU choice and GPU-layers setting (engine request
 * `system/trainer`, `clade train`, the Model view's Training row), chosen as the model host chooses.
 */
export interface TrainerBackendInfo {
  gpuChoice: GpuChoice;
  backend: TrainerBackend;
  variant: TrainerVariant;
  /** What the trainer gets as --gpu-layers: 0 on the CPU, -1 = all layers. */
  gpuLayers: number;
  /** Why this backend: the choice, what auto found, and what is not built. */
  reason: string;
  /** Whether that variant's executable is built (training fails with the build command otherwise). */
  built: boolean;
}

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** Assistant messages: tool calls it made. */
  toolCalls?: ToolCall[];
  /** Tool messages: which call this is the result of. */
  toolCallId?: string;
}

/** A JSON schema (the subset node-llama-cpp's grammar compiler supports). */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  description: string;
  parameters: JsonSchema;
}

export interface ChatParams {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /**
   * auto: the model may answer in text or call a tool through its chat wrapper's function syntax.
   * required: the reply is grammar-constrained to exactly one call of one of `tools`, so it always parses.
   * none: text only.
   */
  toolChoice?: "auto" | "required" | "none";
  maxTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Keeps one sequence (and its KV cache) for a multi-turn conversation. */
  /**
   * Return the exact prompt tokens the host evaluated (ChatResult.promptTokenIds), for checking that
   * training data renders what inference feeds the model. Only the direct "required" paths set it.
   */
  returnPromptTokens?: boolean;
  sessionId?: string;
  /** Adapters for this request (must match the context's; see ModelHost). */
  lora?: LoraSpec[];
}

export type StopReason = "eos" | "maxTokens" | "toolCall" | "aborted" | "stopString";

export interface TokenUsage {
  promptTokens: number;
  /** Prompt tokens that were already in the sequence's KV cache and not evaluated again. */
  cachedPromptTokens: number;
  completionTokens: number;
}

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  usage: TokenUsage;
  timings: { firstTokenMs: number; totalMs: number };
  /** The prompt's token ids, when the request asked for them (returnPromptTokens). */
  promptTokenIds?: number[];
}

export interface TestModelOptions {
  out: string;
  seed?: number;
  /**
   * Named shape; explicit dimensions override it. The family presets (qwen2.5 … no-template) are the
   * toy's shape with that family's architecture, chat template and special tokens.
   */
  preset?: "toy" | "qwen2.5-0.5b" | "qwen2.5" | "qwen3" | "llama3.1" | "gemma3" | "phi4-mini" | "mistral" | "no-template";
  layers?: number;
  embd?: number;
  heads?: number;
  kvHeads?: number;
  ff?: number;
  vocab?: number;
  contextLength?: number;
  /** Tensor type for the big matrices. */
  type?: "f32" | "f16" | "q8_0";
  /** Write a different architecture name (for testing "unsupported architecture"). */
  architecture?: string;
  /** Text the vocabulary's merges are learned from (default: Clade's mixed tokenizer corpus). */
  vocabularyCorpus?: string;
}

export interface TestModelResult {
  file: string;
  sha256: string;
  sizeBytes: number;
  parameterCount: number;
  shape: { layers: number; embd: number; heads: number; kvHeads: number; ff: number; vocab: number; contextLength: number; type: string };
}
