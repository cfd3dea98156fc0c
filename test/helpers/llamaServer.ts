// A real llama.cpp `llama-server` (built by scripts/setupLlamaServer.mjs from node-llama-cpp's own
// llama.cpp source, cached in ~/.cache/clade/llama-server/<tag>/) started on 127.0.0.1 for a test,
// stopped after it. Missing binary = a failing test that says how to build it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { llamaServerPath } from "../../extension/engine/model/remote/llamaServerPath";
import { repoRoot } from "./models";

export function llamaServerBinary(): string {
  const binary = llamaServerPath(repoRoot);
  if (!existsSync(binary)) {
    throw new Error(`llama-server is not built (${binary} is missing). Build it once with \`node scripts/setupLlamaServer.mjs\` (cmake, g++ and git from Debian; a few minutes on 2 cores); \`npm test\` does it in its setup step.`);
  }
  return binary;
}

export { freePort } from "../../extension/engine/util/freePort";
import { freePort } from "../../extension/engine/util/freePort";

export interface LlamaServer {
  port: number;
  /** The OpenAI-compatible base URL (…/v1). */
  baseUrl: string;
  /** `openai:<baseUrl>#<alias>` */
  modelUri: string;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

export interface LlamaServerOptions {
  model: string;
  /** Context per slot × slots = -c. */
  contextPerSlot?: number;
  slots?: number;
  port?: number;
  alias?: string;
  threads?: number;
  apiKey?: string;
}

export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const binary = llamaServerBinary();
  const port = options.port ?? (await freePort());
  const slots = options.slots ?? 1;
  const alias = options.alias ?? "clade-test";
  const args = [
    "-m", options.model, "--host", "127.0.0.1", "--port", String(port), "-c", String((options.contextPerSlot ?? 2048) * slots), "-np", String(slots),
    "-t", String(options.threads ?? 1), "--alias", alias, "--no-webui", ...(options.apiKey ? ["--api-key", options.apiKey] : []),
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  let log = "";
  const append = (chunk: Buffer) => (log = (log + chunk.toString("utf8")).slice(-20_000));
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode} before it was ready:\n${log.slice(-3000)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { headers: options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {} });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`llama-server was not healthy within 60 s:\n${log.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { port, baseUrl, modelUri: `openai:${baseUrl}#${alias}`, child, log: () => log, stop: () => stopWith("SIGTERM"), kill: () => stopWith("SIGKILL") };
}
