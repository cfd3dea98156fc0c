// `clade model test-model | families | info | download`.
import path from "node:path";
import { Option, type Command } from "commander";
import { Requests } from "../../../protocol/engine";
import type { ModelInfo, ModelSpec, TestModelOptions } from "../../../protocol/model";
import { generateTestModel } from "../../model/testModel/generateTestModel";
import { TEST_MODEL_PRESETS } from "../../model/testModel/testModelShape";
import { createProgress, printJson } from "../output";
import { registerModelFamiliesCommand } from "./modelFamiliesCommand";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";
import { intOption } from "../parse";
import { withEngine } from "../withEngine";

export function registerModelCommands(program: Command): void {
  const model = program.command("model").description("Model files: generate test models, inspect, download.");

  model
    .command("test-model")
    .description("Write a small random-weight llama-family GGUF with a real byte-level BPE tokenizer and Qwen2.5's chat template, or with a model family's real template and special tokens (--preset <family>, see `model families`); deterministic for a seed. --preset agent: the agent-capable TEST model, trained on reference runs of the built-in T0 tasks (it has seen them: it proves the machinery, not a smarter model); built once (minutes) and cached.")
    .requiredOption("--out <file>", "output .gguf path")
    .option("--seed <n>", "random seed", intOption("--seed", 0), 1)
    .addOption(new Option("--preset <name>", "shape preset, or a model family (toy-sized, with that family's architecture, chat template and special tokens)").choices([...Object.keys(TEST_MODEL_PRESETS), "agent"]).default("toy"))
    .option("--rebuild", "--preset agent: build again even if the cache has it")
    .option("--threads <n>", "--preset agent: trainer threads (default: the CPU count, at most 4)", intOption("--threads", 1, 256))
    .option("--layers <n>", "transformer blocks", intOption("--layers", 1, 256))
    .option("--embd <n>", "embedding width", intOption("--embd", 8, 65536))
    .option("--heads <n>", "attention heads", intOption("--heads", 1, 1024))
    .option("--kv-heads <n>", "key/value heads", intOption("--kv-heads", 1, 1024))
    .option("--ff <n>", "feed-forward width", intOption("--ff", 8, 262144))
    .option("--vocab <n>", "vocabulary size", intOption("--vocab", 300, 1_000_000))
    .option("--context-length <n>", "trained context length", intOption("--context-length", 64, 1 << 24))
    .addOption(new Option("--type <t>", "tensor type for weight matrices").choices(["f32", "f16", "q8_0"]))
    .option("--json", "print the result as JSON")
    .action(async (opts) => {
      if (opts.preset === "agent") return testAgentModel(opts);
      const options: TestModelOptions = {
        out: path.resolve(opts.out), seed: opts.seed, preset: opts.preset, layers: opts.layers, embd: opts.embd, heads: opts.heads,
        kvHeads: opts.kvHeads, ff: opts.ff, vocab: opts.vocab, contextLength: opts.contextLength, type: opts.type,
      };
      const progress = createProgress(!opts.json);
      const result = await generateTestModel(options, (p) => progress.update({ title: "Writing test model", done: p.done, total: p.total, percentage: (100 * p.done) / Math.max(1, p.total) }));
      progress.stop();
      if (opts.json) return printJson(result);
      const s = result.shape;
      console.log(`Wrote ${result.file} (${(result.sizeBytes / 1e6).toFixed(2)} MB, ${result.parameterCount.toLocaleString()} parameters, ${s.layers} layers, embd ${s.embd}, vocab ${s.vocab}, ${s.type})\nsha256 ${result.sha256}`);
    });

  registerModelFamiliesCommand(model);

  addModelOptions(model.command("info").description("Load a model through the engine and describe it."))
    .option("--json", "print the result as JSON")
    .action(async (opts: ModelCliOptions & { json?: boolean; verbose?: boolean }) => {
      const info = await loadThroughEngine(specFromOptions(opts), opts);
      if (opts.json) return printJson(info);
      printInfo(info);
    });

  model
    .command("download <uri>")
    .description("Download a GGUF (hf:user/repo:quant, hf:user/repo/file.gguf or an http(s) URL) into the cache, resuming a partial download.")
    .option("--cache-dir <dir>", "where models are stored (default ~/.cache/clade/models, or $CLADE_CACHE_DIR)")
    .option("--json", "print the result as JSON")
    .action(async (uri: string, opts: { cacheDir?: string; json?: boolean }) => {
      const progress = createProgress(!opts.json);
      const result = await withEngine({}, (client, signal) =>
        client.request(Requests.download, { uri, cacheDir: opts.cacheDir ?? process.env.CLADE_CACHE_DIR }, { signal, onProgress: (p) => progress.update(p) }),
      );
      progress.stop();
      if (opts.json) return printJson(result);
      console.log(`${result.cached ? "Already downloaded" : "Downloaded"}: ${result.file} (${(result.sizeBytes / 1e6).toFixed(1)} MB)`);
    });
}

export async function loadThroughEngine(spec: ModelSpec, opts: { json?: boolean; verbose?: boolean }): Promise<ModelInfo> {
  const progress = createProgress(!opts.json);
  try {
    return await withEngine({ verbose: opts.verbose }, (client, signal) =>
      client.request(Requests.loadModel, spec, { signal, onProgress: (p) => progress.update(p) }),
    );
  } finally {
    progress.stop();
  }
}

function printInfo(info: ModelInfo): void {
  const rows: [string, string][] = [
    ["file", info.file],
    ["architecture", info.architecture + (info.name ? ` (${info.name})` : "")],
    ["parameters", info.parameterCount.toLocaleString()],
    ["layers / embd / vocab", `${info.layers} / ${info.embeddingLength} / ${info.vocabularySize}`],
    ["context", `${info.sequences} sequence(s), trained for ${info.trainContextLength}; ${info.contextReason}`],
    ["chat wrapper", `${info.chatWrapper}${info.functionCalling ? " (function calling)" : ""}${info.chatTemplate ? "" : " — no chat template in file"}`],
    ["backend", `${info.backend}, ${info.gpuLayers} GPU layers, ${info.threads} thread(s)`],
    ["adapters", info.lora.length ? info.lora.map((l) => `${l.file}×${l.scale ?? 1}`).join(", ") : "none"],
    ["load time", `${info.loadMs} ms`],
  ];
  for (const [key, value] of rows) console.log(`${key.padEnd(22)} ${value}`);
}

async function testAgentModel(opts: { out: string; json?: boolean; rebuild?: boolean; threads?: number }): Promise<void> {
  const { buildAgentModel } = await import("../../train/agentModel/agentModel");
  const progress = createProgress(!opts.json);
  const started = Date.now();
  const result = await buildAgentModel({ out: opts.out, rebuild: opts.rebuild, threads: opts.threads, onProgress: (p) => progress.update(p) });
  progress.stop();
  const seconds = (Date.now() - started) / 1000;
  if (opts.json) return printJson({ ...result, seconds });
  const b = result.build;
  console.log(`Wrote ${result.file} — the agent-capable TEST model (trained on the built-in T0 tasks; it has seen them)`);
  console.log(result.cached ? `from the cache in ${seconds.toFixed(1)} s (built in ${(b.totalMs / 60_000).toFixed(1)} min)` : `built in ${(b.totalMs / 60_000).toFixed(1)} min`);
  console.log(`training: ${b.dataset.examples} runs, ${b.dataset.tokens} tokens (${b.dataset.maskedTokens} the agent's), ${b.trainer.steps} steps, final loss ${b.trainer.finalLoss.toFixed(4)}, ${Math.round(b.trainer.tokensPerSecond)} tokens/s`);
  console.log(`sha256 ${result.sha256}`);
}
