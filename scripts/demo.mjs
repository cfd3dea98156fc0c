// `npm run demo:chat`: build Clade, generate a small chat model with Clade's own GGUF
// writer, and run real llama.cpp inference through Clade's engine process from the CLI: model info,
// a chat turn, and the same with the real stories260K model when ../shared/models has it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const work = path.join(root, ".clade", "demo");
mkdirSync(work, { recursive: true });
const model = path.join(work, "toy-chat.gguf");
const real = process.env.CLADE_TEST_MODEL || path.resolve(root, "..", "shared", "models", "stories260K.gguf");

function step(title, args) {
  console.log(`\n$ clade ${args.join(" ")}    # ${title}`);
  const { status } = spawnSync(process.execPath, [path.join(root, "bin", "clade.mjs"), ...args], { stdio: "inherit", cwd: root });
  if (status !== 0) process.exit(status ?? 1);
}

spawnSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { stdio: "inherit", cwd: root });
step("write a generated test model (random weights, real tokenizer, ChatML template)", ["model", "test-model", "--out", model]);
step("load it in the engine and describe it", ["model", "info", "--model", model, "--threads", "1"]);
step("one chat turn with tool-capable chat wrapper (random weights: expect gibberish)", ["chat", "--model", model, "--prompt", "hi", "--threads", "1", "--max-tokens", "24", "--temperature", "0.8", "--seed", "1"]);
if (existsSync(real)) {
  step("the real TinyStories model", ["chat", "--model", real, "--prompt", "Once upon a time", "--threads", "1", "--max-tokens", "48"]);
} else {
  console.log(`\n(stories260K.gguf not found at ${real}; set CLADE_TEST_MODEL to run the real-model step)`);
}
