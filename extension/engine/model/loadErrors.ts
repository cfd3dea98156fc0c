// Turns what node-llama-cpp throws (and what llama.cpp logged meanwhile) into CladeErrors that
// name the problem and the fix. Decisions are made on error classes and llama.cpp's log lines,
// which are stable across releases far more than thrown message texts.
import { InsufficientMemoryError } from "node-llama-cpp";
import { CladeError, cancelledError } from "../../protocol/errors";

const archPattern = /unknown model architecture: '([^']*)'/;
const corruptPattern = /not within the file bounds|corrupted or incomplete|failed to read|wrong shape|unexpectedly reached end of file|invalid magic|key not found|tensor .* has wrong|missing tensor/i;
const memoryPattern = /out of memory|failed to allocate|unable to allocate|cudaMalloc failed|ErrorOutOfDeviceMemory/i;

export function outOfMemoryError(what: string, cause: unknown): CladeError {
  return new CladeError(
    "out-of-memory",
    `Not enough memory for ${what}: ${message(cause)}`,
    "Lower clade.model.contextSize or clade.model.sequences, pick a smaller (more quantized) model, or close other programs using memory.",
    undefined,
    { cause },
  );
}

/** Maps a failed `llama.loadModel` to a CladeError. */
export function modelLoadError(file: string, error: unknown, llamaLines: string[], signal?: AbortSignal): CladeError {
  if (error instanceof CladeError) return error;
  if (signal?.aborted) return cancelledError("Loading the model");
  if (error instanceof InsufficientMemoryError) return outOfMemoryError(`the model ${file}`, error);
  const arch = llamaLines.map((line) => archPattern.exec(line)).find((match) => match !== null);
  if (arch) {
    return new CladeError(
      "model-unsupported-architecture",
      `The model ${file} has architecture "${arch[1]}", which the llama.cpp bundled with Clade does not support.`,
      "Choose a GGUF model of a supported architecture (e.g. llama, qwen2, qwen3, gemma, phi3, mistral), or update Clade.",
      { architecture: arch[1] },
      { cause: error },
    );
  }
  const said = lastLines(llamaLines);
  if (llamaLines.some((line) => memoryPattern.test(line))) return outOfMemoryError(`the model ${file}`, said || error);
  if (llamaLines.some((line) => corruptPattern.test(line))) {
    return new CladeError(
      "model-corrupt",
      `The model ${file} is corrupt or incomplete: ${said}`,
      "Download the model again (an interrupted download leaves a partial file) or pick another GGUF file.",
      undefined,
      { cause: error },
    );
  }
  return new CladeError(
    "internal",
    `llama.cpp failed to load ${file}: ${message(error)}${said ? ` (llama.cpp: ${said})` : ""}`,
    "Check the engine log (Clade: Show Log) for llama.cpp's messages; try another model file or backend (clade.model.gpu).",
    undefined,
    { cause: error },
  );
}

/** Maps a failed `model.createContext` (which also attaches the LoRA adapters) to a CladeError. */
export function contextCreateError(error: unknown, llamaLines: string[], hasAdapters: boolean, signal?: AbortSignal): CladeError {
  if (error instanceof CladeError) return error;
  if (signal?.aborted) return cancelledError("Loading the model");
  if (error instanceof InsufficientMemoryError) return outOfMemoryError("the model context", error);
  const said = lastLines(llamaLines);
  if (llamaLines.some((line) => memoryPattern.test(line))) return outOfMemoryError("the model context", said || error);
  if (hasAdapters && (llamaLines.some((line) => /lora|adapter/i.test(line)) || /lora|adapter/i.test(message(error)))) {
    return new CladeError(
      "adapter-incompatible",
      `llama.cpp refused the LoRA adapter: ${said || message(error)}`,
      "Use an adapter trained for this exact model (same architecture and tensor shapes), or load the model without it.",
      undefined,
      { cause: error },
    );
  }
  return new CladeError(
    "internal",
    `llama.cpp failed to create the model context: ${message(error)}${said ? ` (llama.cpp: ${said})` : ""}`,
    "Check the engine log (Clade: Show Log); try a smaller clade.model.contextSize or fewer sequences.",
    undefined,
    { cause: error },
  );
}

function lastLines(lines: string[]): string {
  const errors = lines.filter((line) => !/^load: bad special token/.test(line));
  return [...new Set(errors)].slice(-3).join(" | ");
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
