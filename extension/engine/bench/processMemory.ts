// Resident memory of processes, for `clade bench inference`'s memory check: the engine process with
// a model loaded against a bare Node process that loads the same model into the same context shape
// with node-llama-cpp alone (separate processes, so neither counts the other's pages).
import { readFile } from "node:fs/promises";
import { nodeLlamaCppUrl, runNodeScript } from "./nodeScript";

export interface ProcessMemory {
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** Peak resident set size, bytes. */
  peakRssBytes: number;
}

/** From /proc (Linux); undefined elsewhere. */
export async function processMemory(pid: number): Promise<ProcessMemory | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rssBytes: kb("VmRSS"), peakRssBytes: kb("VmHWM") };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used so far, ms; from /proc (Linux). */
export async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15 (clock ticks, 100 Hz on Linux).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export interface ReferenceMemoryOptions {
  file: string;
  sequences: number;
  contextPerSequence: number;
  threads: number;
  /** Tokens to evaluate on every sequence: as many as the engine's sequences hold (KV cache pages are resident once written). */
  tokensPerSequence: number;
  /** A directory from which `node-llama-cpp` resolves (the install root). */
  cwd: string;
}

// Loads the model, creates the context, evaluates as many tokens on every sequence as the engine's
// sequences hold (so the same KV cache pages and compute buffers are touched), then prints its own memory.
const script = `
import { readFileSync } from "node:fs";
const o = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { getLlama } = await import(o.nodeLlamaCpp);
const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, maxThreads: 0, logLevel: "error" });
const model = await llama.loadModel({ modelPath: o.file, gpuLayers: 0 });
const context = await model.createContext({ sequences: o.sequences, contextSize: o.contextPerSequence, threads: o.threads, failedCreationRemedy: false });
const text = model.tokenize("You are a careful coding agent. Fix the bug. ");
const length = Math.min(Math.max(8, o.tokensPerSequence - 4), o.contextPerSequence - 8); // 4 more are generated
const prompt = [];
while (prompt.length < length) prompt.push(...text);
prompt.length = length;
await Promise.all(Array.from({ length: o.sequences }, async () => {
  const sequence = context.getSequence();
  let n = 0;
  for await (const token of sequence.evaluate(prompt, { temperature: 0 })) if (++n >= 4) break;
}));
const status = readFileSync("/proc/self/status", "utf8");
const kb = (f) => Number(new RegExp("^" + f + ":\\\\s+(\\\\d+) kB", "m").exec(status)?.[1]) * 1024;
process.stdout.write(JSON.stringify({ rssBytes: kb("VmRSS"), peakRssBytes: kb("VmHWM") }));
process.exit(0);
`;

/** Memory of a bare node-llama-cpp process holding the same model and context. */
export async function referenceMemory(options: ReferenceMemoryOptions): Promise<ProcessMemory> {
  const { cwd, ...rest } = options;
  const out = await runNodeScript("node-llama-cpp reference", script, { ...rest, nodeLlamaCpp: nodeLlamaCppUrl(cwd) });
  try {
    return JSON.parse(out) as ProcessMemory;
  } catch (error) {
    throw new Error(`The node-llama-cpp reference process printed no result (${error instanceof Error ? error.message : String(error)}): ${out.slice(0, 200)}`, { cause: error });
  }
}
