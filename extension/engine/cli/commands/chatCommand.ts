// `clade chat --model F --prompt P`: one chat turn through the engine's model host.
import type { Command } from "commander";
import { Requests } from "../../../protocol/engine";
import type { ChatMessage } from "../../../protocol/model";
import { createProgress, printJson } from "../output";
import { floatOption, intOption } from "../parse";
import { withEngine } from "../withEngine";
import { addModelOptions, specFromOptions, type ModelCliOptions } from "./modelOptions";

interface ChatCliOptions extends ModelCliOptions {
  prompt: string;
  system?: string;
  maxTokens: number;
  temperature: number;
  seed?: number;
  json?: boolean;
  verbose?: boolean;
}

export function registerChatCommand(program: Command): void {
  addModelOptions(program.command("chat").description("Send one prompt to a model through the engine and print the reply."))
    .requiredOption("--prompt <text>", "the user message")
    .option("--system <text>", "a system message")
    .option("--max-tokens <n>", "most tokens to generate", intOption("--max-tokens", 1, 1 << 20), 64)
    .option("--temperature <t>", "sampling temperature (0 = greedy)", floatOption("--temperature", 0, 10), 0)
    .option("--seed <n>", "sampling seed", intOption("--seed", 0))
    .option("--json", "print the result (text, usage, timings, model) as JSON")
    .action(async (opts: ChatCliOptions) => {
      const messages: ChatMessage[] = [...(opts.system ? [{ role: "system" as const, content: opts.system }] : []), { role: "user", content: opts.prompt }];
      const progress = createProgress(!opts.json);
      const { info, result } = await withEngine({ verbose: opts.verbose }, async (client, signal) => {
        const loaded = await client.request(Requests.loadModel, specFromOptions(opts), { signal, onProgress: (p) => progress.update(p) });
        progress.stop();
        const reply = await client.request(Requests.chat, { messages, maxTokens: opts.maxTokens, temperature: opts.temperature, seed: opts.seed }, { signal });
        return { info: loaded, result: reply };
      });
      if (opts.json) {
        return printJson({ model: { file: info.file, architecture: info.architecture, chatWrapper: info.chatWrapper, backend: info.backend, threads: info.threads }, ...result });
      }
      console.log(result.text);
      process.stderr.write(`(${result.usage.completionTokens} tokens, ${result.stopReason}, ${result.timings.totalMs} ms on ${info.backend})\n`);
    });
}
