// The options every model-loading command shares (`--model`, `--gpu`, `--threads`, ...).
import path from "node:path";
import type { Command } from "commander";
import type { GpuChoice, LoraSpec, ModelSpec } from "../../../protocol/model";
import { gpuOption, intOption, loraOption } from "../parse";

export interface ModelCliOptions {
  model: string;
  gpu?: GpuChoice;
  gpuLayers?: number;
  contextSize?: number;
  contextPerSequence?: number;
  threads?: number;
  sequences?: number;
  lora?: LoraSpec[];
  cacheDir?: string;
}

export function addModelOptions(command: Command, options: { modelRequired?: boolean } = {}): Command {
  const modelHelp = "GGUF file path, hf:/http(s) URI to download, or openai:http://HOST:PORT/v1#MODEL (an inference server; API key from $CLADE_API_KEY)";
  return (options.modelRequired === false ? command.option("--model <file|uri>", modelHelp) : command.requiredOption("--model <file|uri>", modelHelp))
    .option("--gpu <choice>", "auto | cuda | metal | vulkan | cpu", gpuOption)
    .option("--gpu-layers <n>", "layers to offload (-1 = as many as fit)", intOption("--gpu-layers", -1, 10_000))
    .option("--context-size <n>", "total context in tokens, split over the sequences", intOption("--context-size", 64, 1 << 26))
    .option("--context-per-sequence <n>", "context per sequence (one agent run) in tokens; default: the model's trained length up to 32768, fitted to free memory", intOption("--context-per-sequence", 64, 1 << 26))
    .option("--threads <n>", "CPU threads (0 = measured default)", intOption("--threads", 0, 1024))
    .option("--sequences <n>", "parallel sequences", intOption("--sequences", 1, 256))
    .option("--lora <file[:scale]>", "attach a LoRA adapter (repeatable)", loraOption)
    .option("--cache-dir <dir>", "download cache (default ~/.cache/clade/models, or $CLADE_CACHE_DIR)")
    .option("--verbose", "print engine and llama.cpp logs to stderr");
}

export function specFromOptions(opts: ModelCliOptions): ModelSpec {
  const isUri = /^(hf:|https?:\/\/|openai:)/.test(opts.model);
  return {
    model: isUri ? opts.model : path.resolve(opts.model),
    gpu: opts.gpu,
    gpuLayers: opts.gpuLayers,
    contextSize: opts.contextSize,
    contextPerSequence: opts.contextPerSequence,
    threads: opts.threads,
    sequences: opts.sequences,
    lora: opts.lora?.map((l) => ({ ...l, file: path.resolve(l.file) })),
    cacheDir: opts.cacheDir ?? process.env.CLADE_CACHE_DIR,
    ...(process.env.CLADE_API_KEY ? { apiKey: process.env.CLADE_API_KEY } : {}),
  };
}
