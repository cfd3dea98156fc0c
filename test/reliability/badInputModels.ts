// Bad model files through the real model host (node-llama-cpp, 1 thread): missing, empty, not
// GGUF, a folder, truncated, an unknown architecture, and LoRA adapters that are missing, not GGUF
// or made for another model. Each must be a CladeError naming the problem and the fix.
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { ModelHost } from "../../extension/engine/model/modelHost";
import { writeTestLoraAdapter } from "../../extension/engine/model/testModel/writeTestLoraAdapter";
import { TEST_MODEL_PRESETS } from "../../extension/engine/model/testModel/testModelShape";
import type { SuiteReport } from "./suiteReport";

type ExpectHandled = (report: SuiteReport, name: string, run: () => Promise<unknown>, accept?: (value: unknown) => string | null) => Promise<void>;

const STORIES = process.env.CLADE_TEST_MODEL ?? "/work/shared/models/stories260K.gguf";

/** A copy of the model whose general.architecture value "llama" is overwritten (same length). */
function withArchitecture(out: string, arch: string): string {
  copyFileSync(STORIES, out);
  const data = readFileSync(out);
  const key = data.indexOf("general.architecture");
  // key, then u32 type (8 = string), u64 length, then the value.
  const valueAt = key + "general.architecture".length + 4 + 8;
  if (key < 0 || data.toString("latin1", valueAt, valueAt + 5) !== "llama") throw new Error("could not find general.architecture in the test model");
  const fd = openSync(out, "r+");
  writeSync(fd, Buffer.from(arch.slice(0, 5).padEnd(5, "x"), "latin1"), 0, 5, valueAt);
  closeSync(fd);
  return out;
}

function truncated(out: string, bytes: number): string {
  const fd = openSync(STORIES, "r");
  const buffer = Buffer.alloc(bytes);
  readSync(fd, buffer, 0, bytes, 0);
  closeSync(fd);
  writeFileSync(out, buffer);
  return out;
}

export async function modelCases(report: SuiteReport, work: string, expectHandled: ExpectHandled): Promise<void> {
  const dir = path.join(work, "models");
  mkdirSync(dir);
  const host = new ModelHost({ log: () => undefined, defaultCacheDir: path.join(work, "cache"), llamaLogLevel: "error" });
  const load = (file: string) => host.load({ model: file, threads: 1, contextSize: 256, sequences: 1, gpu: "cpu" });
  try {
    const files: [string, () => string][] = [
      ["model file: missing", () => path.join(dir, "absent.gguf")],
      ["model file: empty", () => (writeFileSync(path.join(dir, "empty.gguf"), ""), path.join(dir, "empty.gguf"))],
      ["model file: not GGUF (a text file)", () => (writeFileSync(path.join(dir, "text.gguf"), "hello, I am not a model\n".repeat(100)), path.join(dir, "text.gguf"))],
      ["model file: a folder", () => (mkdirSync(path.join(dir, "folder.gguf")), path.join(dir, "folder.gguf"))],
      ["model file: truncated header (1 KB)", () => truncated(path.join(dir, "trunc-header.gguf"), 1024)],
      ["model file: truncated tensor data (90%)", () => truncated(path.join(dir, "trunc-data.gguf"), Math.floor(readFileSync(STORIES).length * 0.9))],
      ["model file: unknown architecture", () => withArchitecture(path.join(dir, "arch.gguf"), "zzzzz")],
    ];
    for (const [name, make] of files) await expectHandled(report, name, async () => load(make()));

    await load(STORIES);
    // An adapter for the generated "toy" model (64-wide layers; stories260K's are 64 too, but 2 vs 5 layers and other sizes).
    const foreign = await writeTestLoraAdapter({ base: TEST_MODEL_PRESETS.toy.shape, out: path.join(dir, "foreign-lora.gguf"), rank: 2, modules: ["ffn_up"] });
    const adapters: [string, string][] = [
      ["LoRA adapter: missing file", path.join(dir, "absent-lora.gguf")],
      ["LoRA adapter: not GGUF", path.join(dir, "text.gguf")],
      ["LoRA adapter: a model, not an adapter", STORIES],
      ["LoRA adapter: made for another model", foreign.file],
    ];
    for (const [name, file] of adapters) await expectHandled(report, name, async () => host.useLora([{ file }], {}));
    // After all of it the host still serves the good model.
    await expectHandled(report, "model host still works after the bad files (a real completion)", async () => {
      const reply = await host.chat({ messages: [{ role: "user", content: "Once upon a time" }], maxTokens: 8, temperature: 0 });
      return reply.text;
    }, (value) => (typeof value === "string" ? null : "no text"));
  } finally {
    await host.dispose();
  }
}
