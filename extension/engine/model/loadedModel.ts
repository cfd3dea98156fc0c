// A model file loaded into llama.cpp, with the chat wrapper node-llama-cpp picked for it.
import { type ChatWrapper, type GgufFileInfo, type LlamaModel } from "node-llama-cpp";
import { modelChatWrapper } from "./modelChatWrapper";
import type { ProgressValue } from "../../protocol/engine";
import type { GpuChoice } from "../../protocol/model";
import type { LlamaBackend } from "./backend";
import type { LlamaLogRelay } from "./llamaLogRelay";
import { modelLoadError } from "./loadErrors";
import { wrapperSupportsFunctions } from "./modelInfo";

export interface LoadedModel {
  readonly model: LlamaModel;
  readonly file: string;
  readonly fileInfo: GgufFileInfo;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly gpuLayers: number | "auto";
  /** The GPU choice asked for (the shared backend may have been created for another choice). */
  readonly gpu: GpuChoice;
  readonly backend: LlamaBackend;
  readonly chatWrapper: ChatWrapper;
  readonly functionCalling: boolean;
}

export async function loadModelFile(
  request: Omit<LoadedModel, "model" | "chatWrapper" | "functionCalling">,
  relay: LlamaLogRelay,
  opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void },
): Promise<LoadedModel> {
  const mark = relay.mark();
  let model: LlamaModel;
  try {
    model = await request.backend.llama.loadModel({
      modelPath: request.file,
      gpuLayers: request.backend.backend === "cpu" ? 0 : request.gpuLayers,
      loadSignal: opts.signal,
      onLoadProgress: (p) => opts.onProgress?.({ title: "Loading model", percentage: Math.round(p * 1000) / 10 }),
    });
  } catch (error) {
    throw modelLoadError(request.file, error, relay.linesSince(mark), opts.signal);
  }
  // For models without a chat template (e.g. base models) node-llama-cpp falls back to a general wrapper.
  const chatWrapper = modelChatWrapper(model);
  return { ...request, model, chatWrapper, functionCalling: wrapperSupportsFunctions(chatWrapper) };
}
