// ModelInfo: what the engine reports about the loaded model and its context.
import { ChatWrapper, JinjaTemplateChatWrapper, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import type { Backend, LoraSpec, ModelInfo } from "../../protocol/model";
import { tensorElements } from "./tensorBytes";

/**
 * Whether the wrapper has a function-call syntax the model was trained on. The generic wrappers
 * (General, Llama2Chat, ChatML, ...) only have node-llama-cpp's made-up default syntax; a Jinja
 * template counts when node-llama-cpp found a tool-call syntax in it.
 */
export function wrapperSupportsFunctions(wrapper: ChatWrapper): boolean {
  if (wrapper instanceof JinjaTemplateChatWrapper) return wrapper.usingJinjaFunctionCallTemplate;
  return wrapper.settings.functions !== ChatWrapper.defaultSettings.functions;
}

export interface ModelInfoParts {
  file: string;
  sha256?: string;
  sizeBytes: number;
  /** Why the context has its size (modelHost contextReason). */
  contextReason: string;
  model: LlamaModel;
  context: LlamaContext;
  sequences: number;
  threads: number;
  backend: Backend;
  backendReason: string;
  chatWrapper: ChatWrapper;
  lora: LoraSpec[];
  loadMs: number;
}

export function buildModelInfo(parts: ModelInfoParts): ModelInfo {
  const { model } = parts;
  const metadata = model.fileInfo.metadata as unknown as { general?: { architecture?: string; name?: string }; tokenizer?: { chat_template?: string; ggml?: { tokens?: unknown[] } } };
  const arch = model.fileInfo.architectureMetadata as { block_count?: number; embedding_length?: number; vocab_size?: number };
  const tensors = model.fileInfo.fullTensorInfo ?? model.fileInfo.tensorInfo ?? [];
  return {
    file: parts.file,
    ...(parts.sha256 ? { sha256: parts.sha256 } : {}),
    sizeBytes: parts.sizeBytes,
    architecture: metadata.general?.architecture ?? String(model.architecture),
    ...(metadata.general?.name ? { name: metadata.general.name } : {}),
    parameterCount: tensors.reduce((sum, tensor) => sum + tensorElements(tensor), 0),
    layers: Number(arch.block_count ?? 0),
    embeddingLength: Number(arch.embedding_length ?? model.embeddingVectorSize),
    vocabularySize: metadata.tokenizer?.ggml?.tokens?.length ?? Number(arch.vocab_size ?? 0),
    trainContextLength: model.trainContextSize,
    // node-llama-cpp sizes a context per sequence; ModelInfo reports the total.
    contextSize: parts.context.contextSize * parts.sequences,
    sequences: parts.sequences,
    contextPerSequence: parts.context.contextSize,
    contextReason: parts.contextReason,
    threads: parts.threads,
    backend: parts.backend,
    backendReason: parts.backendReason,
    gpuLayers: model.gpuLayers,
    chatTemplate: metadata.tokenizer?.chat_template ?? null,
    chatWrapper: parts.chatWrapper.wrapperName,
    functionCalling: wrapperSupportsFunctions(parts.chatWrapper),
    lora: parts.lora,
    loadMs: Math.round(parts.loadMs),
  };
}
