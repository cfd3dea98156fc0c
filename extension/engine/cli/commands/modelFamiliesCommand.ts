// `clade model families`: the model families whose real chat template and special tokens
// `clade model test-model --preset <family>` writes, what node-llama-cpp makes of each, and what the
// test suite checks; --verify generates each and loads it through the engine.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { Requests } from "../../../protocol/engine";
import { generateTestModel } from "../../model/testModel/generateTestModel";
import { FAMILY_TEST_CHECKS, testModelFamilies, type TestModelFamily, type TestModelFamilyName } from "../../model/testModel/testModelFamilies";
import { createProgress, printJson } from "../output";
import { withEngine } from "../withEngine";

export interface ModelFamilyEntry {
  family: TestModelFamilyName;
  /** `clade model test-model --preset <preset>` */
  preset: TestModelFamilyName;
  title: string;
  architecture: string;
  /** Where the template text was copied from (and where it is published); null: no template. */
  templateSource: { publishedIn: string; copiedFrom: string } | null;
  /** node-llama-cpp's wrapper for the model, as the test suite asserts it (ModelInfo.chatWrapper). */
  chatWrapper: string;
  nativeFunctionCalling: boolean;
  specialTokens: string[];
  bos: string;
  eos: string;
  endOfTurn: string[];
  notes: string[];
  test: { file: string; golden: string; checks: readonly string[] };
  /** With --verify: what loading a generated model through the engine reported. */
  verified?: { chatWrapper: string; functionCalling: boolean; matches: boolean };
}

function entry(family: TestModelFamily): ModelFamilyEntry {
  return {
    family: family.family,
    preset: family.family,
    title: family.title,
    architecture: family.architecture,
    templateSource: family.templateSource ? { publishedIn: family.templateSource.publishedIn, copiedFrom: family.templateSource.copiedFrom } : null,
    chatWrapper: family.expect.wrapper,
    nativeFunctionCalling: family.expect.functionCalling,
    specialTokens: family.specialTokens.map((token) => token.text),
    bos: family.bos,
    eos: family.eos,
    endOfTurn: family.endOfTurn,
    notes: [...(family.templateSource?.note ? [family.templateSource.note] : []), ...(family.notes ?? [])],
    test: { file: "test/integration/families.test.ts", golden: `test/fixtures/families/${family.family}.txt`, checks: FAMILY_TEST_CHECKS },
  };
}

/** Generates every family's model into a temp folder and loads each through one engine (CPU, 1 thread). */
async function verify(entries: ModelFamilyEntry[], opts: { json?: boolean; verbose?: boolean }): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clade-families-"));
  const progress = createProgress(!opts.json);
  try {
    const files: string[] = [];
    for (const [index, item] of entries.entries()) {
      progress.update({ title: "Writing family models", done: index, total: entries.length, percentage: (100 * index) / entries.length });
      files.push((await generateTestModel({ out: path.join(dir, `${item.family}.gguf`), preset: item.preset, seed: 1 })).file);
    }
    await withEngine({ verbose: opts.verbose }, async (client, signal) => {
      for (const [index, item] of entries.entries()) {
        progress.update({ title: "Loading family models", done: index, total: entries.length, percentage: (100 * index) / entries.length });
        const info = await client.request(Requests.loadModel, { model: files[index], gpu: "cpu", threads: 1, contextSize: 2048, sequences: 1 }, { signal });
        item.verified = { chatWrapper: info.chatWrapper, functionCalling: info.functionCalling, matches: info.chatWrapper === item.chatWrapper && info.functionCalling === item.nativeFunctionCalling };
      }
    });
  } finally {
    progress.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function registerModelFamiliesCommand(model: Command): void {
  model
    .command("families")
    .description("List the model families whose real chat template and special tokens `test-model --preset <family>` writes, the node-llama-cpp wrapper each resolves to, and what the tests check.")
    .option("--verify", "generate each family's model and load it through the engine, reporting the wrapper it really resolves")
    .option("--verbose", "print engine and llama.cpp logs to stderr (with --verify)")
    .option("--json", "print the result as JSON")
    .action(async (opts: { verify?: boolean; verbose?: boolean; json?: boolean }) => {
      const entries = testModelFamilies().map(entry);
      if (opts.verify) await verify(entries, opts);
      if (opts.json) return printJson(entries);
      for (const item of entries) {
        const calling = item.nativeFunctionCalling ? "native function calling" : "no native function calling";
        const checked = item.verified ? (item.verified.matches ? "  [verified]" : `  [MISMATCH: loaded as ${item.verified.chatWrapper}, function calling ${item.verified.functionCalling}]`) : "";
        console.log(`${item.preset.padEnd(12)} ${item.title}\n${"".padEnd(12)} ${item.architecture}, wrapper ${item.chatWrapper}, ${calling}${checked}`);
        console.log(`${"".padEnd(12)} template: ${item.templateSource ? item.templateSource.copiedFrom : "none"}`);
      }
      if (!opts.verify) console.log("\nChecked by test/integration/families.test.ts; `--verify` loads each through the engine now.");
      if (entries.some((item) => item.verified && !item.verified.matches)) process.exitCode = 1;
    });
}
