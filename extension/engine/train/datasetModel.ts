// The target model's tokenizer and chat wrapper, loaded without weights (vocabulary only): all a
// training dataset needs, fast even for a multi-GB model. The wrapper and its function-calling
// flag are chosen exactly as the model host chooses them (model/loadedModel.ts, model/modelInfo.ts).
import { existsSync } from "node:fs";
import { LlamaLogLevel, LlamaLogLevelGreaterThanOrEqual, type LlamaModel } from "node-llama-cpp";
import { modelChatWrapper } from "../model/modelChatWrapper";
import { CladeError } from "../../protocol/errors";
import { getLlamaBackend, subscribeLlamaLog } from "../model/backend";
import { modelLoadError } from "../model/loadErrors";
import { wrapperSupportsFunctions } from "../model/modelInfo";
import type { ChatRenderer } from "./inferencePrompt";

export interface DatasetModel extends ChatRenderer {
  readonly model: LlamaModel;
  dispose(): Promise<void>;
}

export async function openDatasetModel(file: string, signal?: AbortSignal): Promise<DatasetModel> {
  if (!existsSync(file)) throw new CladeError("model-missing", `The model ${file} does not exist.`, "Pass the GGUF file of the model the adapter is trained for.");
  const lines: string[] = [];
  const unsubscribe = subscribeLlamaLog((level, message) => {
    if (LlamaLogLevelGreaterThanOrEqual(level, LlamaLogLevel.warn)) lines.push(message);
  });
  let model: LlamaModel;
  try {
    // Tokenizing needs no GPU; "auto" shares whatever binding the engine already uses.
    const backend = await getLlamaBackend("auto", LlamaLogLevel.error);
    model = await backend.llama.loadModel({ modelPath: file, vocabOnly: true, loadSignal: signal });
  } catch (error) {
    throw modelLoadError(file, error, lines, signal);
  } finally {
    unsubscribe();
  }
  const wrapper = modelChatWrapper(model);
  return { model, wrapper, functionCalling: wrapperSupportsFunctions(wrapper), dispose: () => model.dispose() };
}
