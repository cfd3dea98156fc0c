// Generates a random-weight llama-family GGUF with a real byte-level BPE tokenizer and Qwen2.5's
// chat template (or, for a family preset, that family's template and special tokens): deterministic for a seed (same options → byte-identical file), written tensor by
// tensor so even the 0.5B preset is never whole in memory.

import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import type { TestModelOptions, TestModelResult } from "../../../protocol/model";
import { CladeError } from "../../../protocol/errors";
import { writeGgufFile } from "../gguf/ggufWriter";
import { planLlamaTensors, type RowDelta } from "./llamaTensors";
import { familySpecialTokens } from "./testModelFamilies";
import { buildTestModelMetadata } from "./testModelMetadata";
import { resolveTestModel } from "./testModelShape";
import { buildTestVocabulary, TokenType, type TestVocabulary } from "./testVocabulary";

export interface TestModelProgress {
  /** Parameters written so far. */
  done: number;
  total: number;
}

/**
 * Output-row scale per token: special tokens are made unlikely (so generation rarely stops at
 * once on <|im_end|> or opens a <tool_call> by chance) and unused padding tokens nearly
 * impossible (they would print nothing).
 */
function tokenRowScale(vocab: TestVocabulary): (token: number) => number {
  return (token) => {
    const type = vocab.types[token];
    if (type === TokenType.unused) return 0.05;
    if (type === TokenType.control || type === TokenType.userDefined) return 0.5;
    return 1;
  };
}

/** Writes the model to `options.out` (parent folders are created); a cancelled write leaves no file. */
/** `rowDelta`: added to weight rows as they are written (a LoRA adapter merged into the weights). */
export async function generateTestModel(options: TestModelOptions, onProgress?: (p: TestModelProgress) => void, signal?: AbortSignal, rowDelta?: RowDelta): Promise<TestModelResult> {
  if (!options.out) throw new CladeError("invalid-argument", "No output file was given for the test model.", "Pass `out`, the path of the .gguf file to write.");
  const model = resolveTestModel(options);
  const vocab = buildTestVocabulary(model.shape.vocab, model.family ? familySpecialTokens(model.family) : undefined, options.vocabularyCorpus);
  const metadata = buildTestModelMetadata(model, vocab);
  const { tensors, parameterCount } = planLlamaTensors(model, tokenRowScale(vocab), rowDelta);

  const file = path.resolve(options.out);
  await mkdir(path.dirname(file), { recursive: true });
  let done = 0;
  onProgress?.({ done, total: parameterCount });
  const written = await writeGgufFile(file, {
    metadata,
    tensors,
    signal,
    onTensor: ({ done: index }) => {
      done += tensors[index - 1].dims.reduce((a, b) => a * b, 1);
      onProgress?.({ done, total: parameterCount });
    },
  });
  return { file: written.file, sha256: written.sha256, sizeBytes: written.sizeBytes, parameterCount, shape: { ...model.shape } };
}
