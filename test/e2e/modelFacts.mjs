// The test model for the e2e run, and what the tests expect Clade to report about it — read from
// the GGUF file with node-llama-cpp's own parser, independently of Clade's engine.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";

/**
 * Uses CLADE_E2E_MODEL when set (an existing GGUF), else generates a small deterministic model with
 * `clade model test-model`. A generator failure fails the run: no silent fallback.
 */
export function prepareModel(root, outFile) {
  const given = process.env.CLADE_E2E_MODEL;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`CLADE_E2E_MODEL=${given} does not exist`);
    return { file: path.resolve(given), source: "CLADE_E2E_MODEL" };
  }
  const output = execFileSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "model", "test-model", "--out", outFile, "--json"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = JSON.parse(output);
  return { file: result.file, source: "clade model test-model", generatorParameterCount: result.parameterCount };
}

/** Architecture and parameter count (sum of tensor elements) straight from the GGUF. */
export async function modelFacts(file) {
  const info = await readGgufFileInfo(file, { readTensorInfo: true });
  const architecture = info.metadata?.general?.architecture;
  if (typeof architecture !== "string") throw new Error(`${file} has no general.architecture`);
  let parameterCount = 0;
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) {
    parameterCount += tensor.dimensions.reduce((product, d) => product * Number(d), 1);
  }
  if (parameterCount === 0) throw new Error(`${file}: no tensors read`);
  return { architecture, parameterCount, modelFile: file };
}
