// Where tests get their models: the real stories260K from ../shared/models (or CLADE_TEST_MODEL), and
// small models the project generates itself. A missing real model FAILS the test with a message
// saying how to provide it; it never skips silently.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateTestModel } from "../../extension/engine/model/testModel/generateTestModel";
import type { TestModelOptions, TestModelResult } from "../../extension/protocol/model";

export const repoRoot = path.resolve(__dirname, "..", "..");

export function realModelPath(): string {
  const candidates = [process.env.CLADE_TEST_MODEL, path.resolve(repoRoot, "..", "shared", "models", "stories260K.gguf")].filter(Boolean) as string[];
  const found = candidates.find((file) => existsSync(file));
  if (!found) {
    throw new Error(`The real test model stories260K.gguf was not found (looked in: ${candidates.join(", ")}). Set CLADE_TEST_MODEL=/path/to/stories260K.gguf or put ../shared/models/stories260K.gguf beside the repo.`);
  }
  return found;
}

const generated = new Map<string, Promise<TestModelResult>>();

/** A generated model, written once per test process into the OS temp dir. */
export function generatedModel(options: Omit<TestModelOptions, "out"> = {}): Promise<TestModelResult> {
  const key = JSON.stringify(options);
  let result = generated.get(key);
  if (!result) {
    const name = `clade-test-${process.pid}-${generated.size}.gguf`;
    result = generateTestModel({ seed: 1, ...options, out: path.join(os.tmpdir(), name) });
    generated.set(key, result);
  }
  return result;
}
