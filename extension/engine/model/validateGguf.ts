// Pre-flight checks of a model file, so the common mistakes get a clear error instead of a
// llama.cpp abort or a vague "Failed to load model": missing file, not a GGUF, truncated download,
// unreadable header, a LoRA adapter given as the model.
import { open, stat } from "node:fs/promises";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import { tensorBytes } from "./tensorBytes";

const ggufMagic = "GGUF";

/** Checks that `file` exists and starts with the GGUF magic; returns its size. */
export async function checkGgufMagic(file: string, what = "model"): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  if (!info || !info.isFile()) {
    throw new CladeError(
      what === "model" ? "model-missing" : "invalid-argument",
      info ? `The ${what} path ${file} is a directory, not a file.` : `The ${what} file ${file} does not exist.`,
      what === "model"
        ? "Set clade.model.path to the absolute path of a .gguf file, or to an hf: URI Clade can download."
        : `Check the ${what} path; it must be an absolute path to a .gguf file.`,
      { file },
    );
  }
  if (info.size === 0) throw notGguf(file, what, "it is empty (0 bytes)");
  const head = Buffer.alloc(4);
  const handle = await open(file, "r");
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (info.size < 4 || head.toString("latin1") !== ggufMagic) {
    throw notGguf(file, what, `it starts with ${JSON.stringify(head.subarray(0, Math.min(4, info.size)).toString("latin1"))}, not "GGUF"`);
  }
  return info.size;
}

/** Full pre-flight validation of a model file; returns its parsed GGUF header. */
export async function validateModelFile(file: string): Promise<GgufFileInfo> {
  const size = await checkGgufMagic(file, "model");
  const info = await readHeader(file, "model");
  const general = info.metadata.general as { type?: string; architecture?: string } | undefined;
  if (general?.type === "adapter") {
    throw new CladeError(
      "invalid-argument",
      `${file} is a LoRA adapter, not a model.`,
      "Set the base model as the model, and pass this file in the lora list.",
      { file },
    );
  }
  if (!general?.architecture) throw corrupt(file, "its header has no general.architecture");
  if ((info.tensorInfo?.length ?? 0) === 0) throw corrupt(file, "it contains no tensors");
  await checkTensorBounds(file, size, info);
  return info;
}

/**
 * The vocabulary arrays are what makes a header big (151,936 tokens and as many merges for Qwen2.5:
 * ~9 MiB of JS heap, kept for as long as the model is loaded). Validation needs none of them, and
 * node-llama-cpp reads its own copy to tokenize.
 */
const UNNEEDED_KEYS = ["tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges", "tokenizer.ggml.scores"];

export async function readHeader(file: string, what: string): Promise<GgufFileInfo> {
  try {
    return await readGgufFileInfo(file, { sourceType: "filesystem", readTensorInfo: true, logWarnings: false, ignoreKeys: UNNEEDED_KEYS });
  } catch (error) {
    const reason = `its GGUF header cannot be read (${error instanceof Error ? error.message : String(error)})`;
    throw what === "model" ? corrupt(file, reason, error) : new CladeError("adapter-incompatible", `The ${what} ${file} is corrupt: ${reason}.`, "Train or download the adapter again.", { file }, { cause: error });
  }
}

/** A truncated file parses fine (the header is at the start) but its tensor data ends early. */
async function checkTensorBounds(file: string, size: number, info: GgufFileInfo): Promise<void> {
  const partSizes = new Map<number, number>([[1, size]]);
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) {
    const part = tensor.filePart ?? 1;
    let partSize = partSizes.get(part);
    if (partSize === undefined) {
      partSize = (await stat(splitPartPath(file, part)).catch(() => undefined))?.size ?? -1;
      partSizes.set(part, partSize);
    }
    if (partSize < 0) throw corrupt(file, `split part ${part} is missing`);
    const end = Number(tensor.fileOffset) + (tensorBytes(tensor) ?? 0);
    if (end > partSize) {
      const percent = Math.floor((partSize / end) * 100);
      throw corrupt(file, `tensor "${tensor.name}" ends at byte ${end} but the file has only ${partSize} bytes (truncated, at most ${percent}% present)`);
    }
  }
}

/** model-00001-of-00003.gguf -> model-0000N-of-00003.gguf */
function splitPartPath(file: string, part: number): string {
  return file.replace(/-(\d{5})-of-(\d{5})\.gguf$/, (_match, _index: string, total: string) => `-${String(part).padStart(5, "0")}-of-${total}.gguf`);
}

function notGguf(file: string, what: string, why: string): CladeError {
  return new CladeError(
    what === "model" ? "model-not-gguf" : "adapter-incompatible",
    `The ${what} file ${file} is not a GGUF file: ${why}.`,
    what === "model"
      ? "Clade loads GGUF models: pick a .gguf file (convert other formats with llama.cpp's convert_hf_to_gguf.py), or download it again."
      : "LoRA adapters must be GGUF files (convert with llama.cpp's convert_lora_to_gguf.py, or train one with Clade).",
    { file },
  );
}

function corrupt(file: string, why: string, cause?: unknown): CladeError {
  return new CladeError(
    "model-corrupt",
    `The model file ${file} is corrupt or incomplete: ${why}.`,
    "Download the model again (an interrupted download leaves a partial file) or pick another GGUF file.",
    { file },
    cause === undefined ? undefined : { cause },
  );
}
