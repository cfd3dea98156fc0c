// The forward-pass reference of `clade bench train`, in a separate bare node-llama-cpp process (so its
// memory is its own): the same model and windows, the same threads, evaluated two ways —
//   - every position's logits (what a training window's forward pass computes: the loss needs them);
//   - the prompt only, logits of the last position (what inference does with a prompt).
// It reports both speeds and the process's memory: peak RSS minus the RSS before the model loads
// (Node's own ~40–60 MB are not the forward pass's).
import { nodeLlamaCppUrl, runNodeScript } from "../bench/nodeScript";

export interface ForwardReference {
  /** Logits at every position (filtered to the next token in JS, computed in full by llama.cpp). */
  allLogitsTokensPerSecond: number;
  /** The window as a prompt: logits of its last position only. */
  promptTokensPerSecond: number;
  /** Peak RSS − RSS before the model was loaded. */
  forwardBytes: number;
  peakRssBytes: number;
  baselineRssBytes: number;
}

const script = `
import { readFileSync } from "node:fs";
const o = JSON.parse(readFileSync(process.argv[2], "utf8"));
const kb = (f) => Number(new RegExp("^" + f + ":\\\\s+(\\\\d+) kB", "m").exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;
const { getLlama } = await import(o.nodeLlamaCpp);
const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" });
const baseline = kb("VmRSS");
const model = await llama.loadModel({ modelPath: o.file, gpuLayers: 0 });
const context = await model.createContext({ contextSize: o.ctx + 1, batchSize: o.ctx + 1, threads: o.threads, sequences: 1, failedCreationRemedy: false });
const sequence = context.getSequence();
async function timed(all) {
  const started = performance.now();
  for (const w of o.windows) {
    await sequence.clearHistory();
    const input = w.slice(0, o.ctx);
    if (all) await sequence.controlledEvaluate(input.map((t, i) => [t, { generateNext: { logits: { filter: [w[i + 1]] } } }]));
    else await sequence.evaluateWithoutGeneratingNewTokens(input);
  }
  return (1000 * o.windows.length * o.ctx) / (performance.now() - started);
}
await timed(false); // warm-up: pages of the weights, compute buffers
const prompt = await timed(false);
const allLogits = await timed(true);
process.stdout.write(JSON.stringify({ allLogitsTokensPerSecond: allLogits, promptTokensPerSecond: prompt, peakRssBytes: kb("VmHWM"), baselineRssBytes: baseline }));
process.exit(0);
`;

export async function forwardReference(options: { file: string; windows: readonly number[][]; ctx: number; threads: number; cwd: string }): Promise<ForwardReference> {
  const out = await runNodeScript("forward-pass reference", script, {
    nodeLlamaCpp: nodeLlamaCppUrl(options.cwd), file: options.file, windows: options.windows, ctx: options.ctx, threads: options.threads,
  });
  const r = JSON.parse(out) as Omit<ForwardReference, "forwardBytes">;
  return { ...r, forwardBytes: r.peakRssBytes - r.baselineRssBytes };
}
