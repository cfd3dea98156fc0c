// The chat wrapper Clade renders a model's prompts with: node-llama-cpp's resolution, with one
// correction, used by inference (loadedModel.ts) and training data (train/datasetModel.ts) alike.
// - Qwen (2.5, 3): node-llama-cpp's QwenChatWrapper writes a string tool result as a JSON string
//   ("   1 export …\n   2 …" with escaped newlines and quotes), while Qwen's own template inserts
//   the text as it is between <tool_response> tags. A Qwen model reading a file would see it
//   escaped. The wrapper's own option for that (_flatFunctionResultString, one of the variations
//   node-llama-cpp itself tries against Qwen templates) renders it raw.
import { QwenChatWrapper, resolveChatWrapper, type ChatWrapper, type LlamaModel } from "node-llama-cpp";

export function modelChatWrapper(model: LlamaModel): ChatWrapper {
  const wrapper = resolveChatWrapper(model);
  if (wrapper instanceof QwenChatWrapper && wrapper.variation === "3") {
    const flat = wrapper as QwenChatWrapper & { _flatFunctionResultString?: boolean };
    if (!flat._flatFunctionResultString) {
      return new QwenChatWrapper({ keepOnlyLastThought: wrapper.keepOnlyLastThought, thoughts: wrapper.thoughts, variation: wrapper.variation, _flatFunctionResultString: true } as ConstructorParameters<typeof QwenChatWrapper>[0]);
    }
  }
  return wrapper;
}
