// The generated models the inference benchmarks run on (BENCH.md: random weights of real shapes;
// speed does not depend on what the weights say). Written once per preset into a cache folder,
// with the generator's result beside each file so later runs know its hash without re-reading it.
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestModelResult } from "../../protocol/model";
import { generateTestModel } from "../model/testModel/generateTestModel";

export interface BenchModel extends TestModelResult {
  preset: "toy" | "qwen2.5-0.5b";
  /**
   * GGUF architecture the model is written as. "qwen2" (default): node-llama-cpp renders prompts
   * with its QwenChatWrapper, as for a real Qwen2.5 (every mainstream model family gets such a
   * specialized wrapper). "llama": the same weights and template, but node-llama-cpp's Qwen wrapper
   * declines a llama-architecture model, so it renders the Jinja chat template itself, the fallback
   * for models whose template it does not recognise (PERFORMANCE.md compares the two).
   */
  architecture: BenchArchitecture;
}

export type BenchArchitecture = "qwen2" | "llama";

const seed = 1;

export function defaultBenchModelDir(): string {
  return path.join(os.tmpdir(), "clade-bench-models");
}

export async function benchModel(preset: BenchModel["preset"], dir = defaultBenchModelDir(), architecture: BenchArchitecture = "qwen2"): Promise<BenchModel> {
  const file = path.join(dir, `${preset}-${architecture}-seed${seed}.gguf`);
  const sidecar = `${file}.json`;
  if (existsSync(file) && existsSync(sidecar)) {
    const saved = JSON.parse(await fs.readFile(sidecar, "utf8")) as TestModelResult;
    if ((await fs.stat(file)).size === saved.sizeBytes) return { ...saved, preset, architecture };
  }
  const result = await generateTestModel({ out: file, preset, seed, architecture });
  await fs.writeFile(sidecar, JSON.stringify(result));
  return { ...result, preset, architecture };
}
