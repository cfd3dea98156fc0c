// Where the model file comes from: an absolute path is used as is; hf: URIs and http(s) URLs are
// downloaded into the cache folder first (or found there).
import path from "node:path";
import type { ProgressValue } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import { downloadModel, isDownloadUri } from "./downloadModel";

export async function resolveModelSource(source: string, cacheDir: string, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void } = {}): Promise<string> {
  const trimmed = source.trim();
  if (trimmed === "") {
    throw new CladeError("model-missing", "No model is configured.", "Set clade.model.path to a .gguf file or an hf: URI (CLI: --model FILE).");
  }
  if (isDownloadUri(trimmed)) return (await downloadModel(trimmed, cacheDir, opts)).file;
  if (trimmed.startsWith("file://")) return new URL(trimmed).pathname;
  if (!path.isAbsolute(trimmed)) {
    throw new CladeError(
      "invalid-argument",
      `The model path "${source}" is relative; the engine cannot tell what it is relative to.`,
      "Use an absolute path to the .gguf file, or an hf: URI.",
    );
  }
  return path.normalize(trimmed);
}
