// Runs Clade's native LoRA trainer (native-models/trainer, built by `npm run build:trainer`) as a
// child process and reads its JSON-lines progress. A separate process because llama.cpp aborts the
// whole process on GGML_ASSERT: a crash here becomes a CladeError, never a dead engine.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CladeError, cancelledError, type ErrorReason } from "../../protocol/errors";

export type TrainerVariant = "cpu" | "cuda" | "vulkan";

export interface TrainLoraOptions {
  /** Base model GGUF (F32/F16/Q8_0/Q4 weights; the adapter is trained in F32). */
  model: string;
  /** JSONL, one `{"tokens": number[], "mask"?: number[]}` per line; mask[i] = 1 trains predicting tokens[i]. */
  dataset: string;
  /** Held-out JSONL in the same format; its masked loss is reported after every epoch. */
  evalDataset?: string;
  /** Where the adapter GGUF is written (loadable with createContext({lora: {adapters: [{filePath}]}})). */
  output: string;
  rank?: number;
  /** LoRA alpha; the adapter's output is scaled by alpha / rank. Default 2 * rank. */
  alpha?: number;
  /** Default attn_q, attn_output, ffn_gate, ffn_up, ffn_down (attn_k/attn_v are refused: no gradient reaches them). */
  targetModules?: string[];
  learningRate?: number;
  minLearningRate?: number;
  schedule?: "constant" | "cosine";
  warmupSteps?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  epochs?: number;
  maxSteps?: number;
  /** Window size in tokens, rounded up to a multiple of 256 (llama.cpp pads contexts to that). */
  contextSize?: number;
  /** Micro-batch size; must divide the (padded) context size. Default: the whole window. */
  microBatch?: number;
  threads?: number;
  seed?: number;
  /** Write a resumable checkpoint every N steps (one is always written when stopped). */
  checkpointEvery?: number;
  /** Default `<output without .gguf>.ckpt.gguf` (+ `.adamw` optimizer state next to it). */
  checkpointPath?: string;
  /** A checkpoint to continue from (same dataset and contextSize). */
  resumeFrom?: string;
  gpuLayers?: number;
  /**
   * "sft" (default): weighted likelihood of the masked tokens. "dpo": the dataset's lines are
   * `{"chosen": {tokens, mask}, "rejected": {tokens, mask}}`; the DPO loss with the starting adapter
   * (the base, for a fresh adapter) as reference; each pair is two optimizer steps.
   */
  objective?: "sft" | "dpo";
  /** dpo: the implicit reward's temperature (default 0.1). */
  beta?: number;
  /** The trainer executable; default: found under native-models/build/ for `variant`. */
  binaryPath?: string;
  variant?: TrainerVariant;
  /** How long a stop request may take before the trainer is killed. Default 120 s. */
  stopTimeoutMs?: number;
  /** ggml's own OUT_PROD for the frozen weights' gradients instead of Clade's kernel (the slow reference; tests). */
  ggmlBackward?: boolean;
}

export interface TrainerStartEvent {
  type: "start";
  windows: number;
  evalWindows: number;
  steps: number;
  startStep: number;
  contextSize: number;
  ubatch: number;
  rank: number;
  alpha: number;
  targets: string[];
  trainableTensors: number;
  trainableParams: number;
  forwardNodes: number;
  graphBudget: number;
  budgetAdapters: number;
  /** The ggml device that trains: "CPU", or the GPU's (CUDA0, Vulkan0, MTL0) when one was loaded. */
  backend: string;
  threads: number;
  /** Who computes the frozen weights' activation gradients: Clade's blocked kernel, or ggml's OUT_PROD (--ggml-backward). */
  weightBackward?: "clade" | "ggml";
}
export interface TrainProgress {
  type: "progress";
  epoch: number;
  step: number;
  steps: number;
  /** Mean loss over the masked tokens of this step's window (dpo: the pair's DPO loss). */
  loss: number;
  /** dpo: the pair's implicit-reward margin, (log pi - log ref)(chosen) - (log pi - log ref)(rejected). */
  margin?: number;
  lr: number;
  tokensPerSecond: number;
  elapsedMs: number;
}
/** `ms`/`tokens`: the forward pass over the held-out windows (its speed is the trainer's own forward reference). */
export interface TrainerEvalEvent { type: "eval"; epoch: number; step: number; loss: number; ms?: number; tokens?: number }
export interface TrainerCheckpointEvent { type: "checkpoint"; path: string; optimizerPath: string; step: number }
export interface TrainerWarningEvent { type: "warning"; message: string }
export interface TrainerDoneEvent {
  type: "done";
  adapter: string;
  finalLoss: number | null;
  lastLoss: number | null;
  steps: number;
  tokensPerSecond: number;
  elapsedMs: number;
  peakRssBytes: number;
  trainGraphNodes: number;
  /** Activation gradients computed by Clade's kernel (0 with --ggml-backward or on a GPU). */
  weightBackwardNodes?: number;
}
export interface TrainerStoppedEvent {
  type: "stopped";
  step: number;
  steps: number;
  checkpoint: string;
  optimizerPath: string;
  tokensPerSecond: number;
}
export interface TrainerErrorEvent { type: "error"; kind?: string; message: string }
export type TrainerEvent =
  | TrainerStartEvent
  | TrainProgress
  | TrainerEvalEvent
  | TrainerCheckpointEvent
  | TrainerWarningEvent
  | TrainerDoneEvent
  | TrainerStoppedEvent
  | TrainerErrorEvent;

export interface TrainLoraControl {
  /** Aborting stops the trainer at its next step boundary (SIGTERM); it writes a checkpoint first. */
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  onEvent?: (event: TrainerEvent) => void;
}

export interface TrainLoraResult {
  adapter: string;
  /** Mean masked loss over the last epoch. */
  finalLoss: number;
  steps: number;
  tokensPerSecond: number;
  elapsedMs: number;
  peakRssBytes?: number;
  /** The ggml device that trained (the start event's backend). */
  backend?: string;
  /** The last evaluation's forward pass, tokens/s (only with an evalDataset). */
  evalTokensPerSecond?: number;
  /** Trainable (adapter) parameters, micro-batch size (the start event's). */
  trainableParams?: number;
  microBatch?: number;
  /** The trainer's warning events, in order (a GPU asked for but not found, untrained adapter tensors, …). */
  warnings: string[];
}

const EVENT_TYPES = new Set(["start", "progress", "eval", "checkpoint", "warning", "done", "stopped", "error"]);
const BUILD_FIX = "Run `npm run build:trainer` (it needs cmake and a C++ compiler; it prints what to install).";
export const TRAINER_EXIT_STOPPED = 3;

/** One stdout line of the trainer as an event, or undefined for anything else. */
export function parseTrainerLine(line: string): TrainerEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    const type = (value as { type?: unknown } | null)?.type;
    return typeof type === "string" && EVENT_TYPES.has(type) ? (value as TrainerEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** The trainer executable built for `variant`, searched upward from `fromDir` (this module's folder). */
export function findTrainerBinary(variant: TrainerVariant = "cpu", fromDir = moduleDir()): string | undefined {
  const name = variant === "cpu" ? "clade-lora-train" : `clade-lora-train-${variant}`;
  for (let dir = fromDir, i = 0; i < 8; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, "native-models", "build", name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return undefined;
}

function moduleDir(): string {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return process.cwd();
  }
}

/** The trainer's command line for `opts` (flags only where an option is set). */
export function trainerArgs(opts: TrainLoraOptions): string[] {
  const args = ["--model", opts.model, "--data", opts.dataset, "--out", opts.output];
  const flags: [string, string | number | string[] | undefined][] = [
    ["--eval-data", opts.evalDataset], ["--rank", opts.rank], ["--alpha", opts.alpha], ["--targets", opts.targetModules],
    ["--lr", opts.learningRate], ["--lr-min", opts.minLearningRate], ["--schedule", opts.schedule], ["--warmup", opts.warmupSteps],
    ["--weight-decay", opts.weightDecay], ["--beta1", opts.beta1], ["--beta2", opts.beta2], ["--eps", opts.epsilon],
    ["--epochs", opts.epochs], ["--max-steps", opts.maxSteps], ["--ctx", opts.contextSize], ["--ubatch", opts.microBatch],
    ["--threads", opts.threads], ["--seed", opts.seed], ["--checkpoint-every", opts.checkpointEvery],
    ["--checkpoint", opts.checkpointPath], ["--resume", opts.resumeFrom], ["--gpu-layers", opts.gpuLayers],
    ["--objective", opts.objective], ["--beta", opts.beta],
  ];
  for (const [flag, value] of flags) {
    if (value !== undefined) args.push(flag, Array.isArray(value) ? value.join(",") : String(value));
  }
  if (opts.ggmlBackward) args.push("--ggml-backward");
  return args;
}

function resolveBinary(opts: TrainLoraOptions): string {
  const binary = opts.binaryPath ?? findTrainerBinary(opts.variant ?? "cpu");
  if (!binary || !existsSync(binary)) {
    throw new CladeError("no-binary", `The LoRA trainer is not built (${binary ?? `no native-models/build/clade-lora-train${opts.variant && opts.variant !== "cpu" ? `-${opts.variant}` : ""} found`}).`, BUILD_FIX);
  }
  return binary;
}

function checkInputs(opts: TrainLoraOptions): void {
  if (!existsSync(opts.model)) throw new CladeError("model-missing", `The base model ${opts.model} does not exist.`, "Select an existing GGUF model file.");
  for (const [what, file] of [["training data", opts.dataset], ["evaluation data", opts.evalDataset], ["checkpoint", opts.resumeFrom]] as const) {
    if (file !== undefined && !existsSync(file)) throw new CladeError("invalid-argument", `The ${what} file ${file} does not exist.`, `Check the path of the ${what}.`);
  }
}

interface RunState {
  start?: TrainerStartEvent;
  lastEval?: TrainerEvalEvent;
  done?: TrainerDoneEvent;
  stopped?: TrainerStoppedEvent;
  error?: TrainerErrorEvent;
  warnings: string[];
  stderr: string[];
  aborted: boolean;
  spawnError?: Error;
}

/** Trains a LoRA adapter; resolves when the adapter is written. Abort → CladeError "cancelled" (with the checkpoint in details). */
export async function trainLora(opts: TrainLoraOptions, control: TrainLoraControl = {}): Promise<TrainLoraResult> {
  const binary = resolveBinary(opts);
  checkInputs(opts);
  if (control.signal?.aborted) throw cancelledError("LoRA training");
  const state: RunState = { stderr: [], warnings: [], aborted: false };
  const oomKillsBefore = await oomKills();
  const child = spawn(binary, trainerArgs(opts), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GGML_NO_BACKTRACE: "1" } });
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    state.aborted = true;
    child.kill("SIGTERM");
    killTimer = setTimeout(() => child.kill("SIGKILL"), opts.stopTimeoutMs ?? 120_000);
  };
  control.signal?.addEventListener("abort", onAbort, { once: true });
  readLines(child.stdout, (line) => handleEvent(parseTrainerLine(line), state, control));
  readLines(child.stderr, (line) => {
    state.stderr.push(line);
    if (state.stderr.length > 40) state.stderr.shift();
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on("error", (error) => {
      state.spawnError = error;
      resolve([null, null]);
    });
    child.on("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  control.signal?.removeEventListener("abort", onAbort);
  if (killTimer) clearTimeout(killTimer);
  // The kernel counts its out-of-memory kills: whether one happened while the trainer ran tells an
  // OOM kill from a SIGKILL sent by someone else (a user's `kill -9`, a supervisor).
  const oomKillsAfter = signal === "SIGKILL" ? await oomKills() : undefined;
  const oomKilled = oomKillsBefore === undefined || oomKillsAfter === undefined ? undefined : oomKillsAfter > oomKillsBefore;
  return settle(binary, code, signal, state, oomKilled);
}

function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  });
  stream.on("end", () => buffer && onLine(buffer));
}

function handleEvent(event: TrainerEvent | undefined, state: RunState, control: TrainLoraControl): void {
  if (!event) return;
  if (event.type === "start") state.start = event;
  else if (event.type === "eval") state.lastEval = event;
  else if (event.type === "done") state.done = event;
  else if (event.type === "stopped") state.stopped = event;
  else if (event.type === "error") state.error = event;
  else if (event.type === "warning") state.warnings.push(event.message);
  try {
    control.onEvent?.(event);
    if (event.type === "progress") control.onProgress?.(event);
  } catch {
    // a failing listener must not break the training run
  }
}

const ERROR_REASONS: Record<string, [ErrorReason, string]> = {
  usage: ["invalid-argument", "Check the training options."],
  data: ["invalid-argument", "Fix the training data (one {\"tokens\": [...], \"mask\": [...]} object per line, token ids of this model)."],
  target: ["invalid-argument", "Use other target modules (the model's per-layer modules are listed in the message)."],
  adapter: ["adapter-incompatible", "Resume only with a checkpoint of the same model, data and context size, or start a new training."],
  model: ["training-failed", "Check that the model is a llama.cpp GGUF model that fits in memory."],
};

/** `oomKilled`: whether the kernel killed a process for memory meanwhile (undefined: this system does not say). */
function settle(binary: string, code: number | null, signal: NodeJS.Signals | null, state: RunState, oomKilled: boolean | undefined): TrainLoraResult {
  const details = { exitCode: code, signal, stderr: state.stderr.slice(-10).join("\n") };
  if (state.spawnError) throw new CladeError("no-binary", `The LoRA trainer ${binary} could not be started: ${state.spawnError.message}.`, BUILD_FIX, details);
  if (code === 0 && state.done) {
    const d = state.done;
    const e = state.lastEval;
    return {
      adapter: d.adapter, finalLoss: d.finalLoss ?? Number.NaN, steps: d.steps, tokensPerSecond: d.tokensPerSecond, elapsedMs: d.elapsedMs, peakRssBytes: d.peakRssBytes,
      backend: state.start?.backend, evalTokensPerSecond: e?.ms && e.tokens ? (1000 * e.tokens) / e.ms : undefined,
      trainableParams: state.start?.trainableParams, microBatch: state.start?.ubatch, warnings: state.warnings,
    };
  }
  if (code === TRAINER_EXIT_STOPPED && state.stopped) {
    const s = state.stopped;
    throw new CladeError("cancelled", `LoRA training was stopped at step ${s.step} of ${s.steps}; a checkpoint was saved to ${s.checkpoint}.`,
      "Nothing to fix: resume it later with resumeFrom set to the checkpoint.", { ...details, checkpoint: s.checkpoint, optimizerPath: s.optimizerPath, step: s.step, steps: s.steps });
  }
  if (state.aborted && (signal || code === TRAINER_EXIT_STOPPED)) throw cancelledError("LoRA training");
  if ((code === 1 || code === 2) && state.error) {
    const [reason, fix] = ERROR_REASONS[state.error.kind ?? ""] ?? ["training-failed", "See the trainer's output in the log."];
    throw new CladeError(reason, `LoRA training failed: ${state.error.message}`, fix, details);
  }
  if (signal === "SIGKILL") {
    const oom = oomKilled;
    if (oom === false) {
      throw new CladeError("training-failed", "The LoRA trainer was killed (SIGKILL) by another process; the system did not run out of memory (the kernel's out-of-memory kill count did not change).",
        "Train again; if something on this machine stops long-running processes (a supervisor, a time limit), let the trainer run.", { ...details, oomKill: false });
    }
    throw new CladeError("out-of-memory", oom
      ? "The LoRA trainer was killed by the system because memory ran out (the kernel's out-of-memory killer)."
      : "The LoRA trainer was killed (SIGKILL), most likely because the system ran out of memory (this system does not report out-of-memory kills).",
    "Train with a smaller contextSize or rank, or on a smaller model, or close other programs.", { ...details, ...(oom === undefined ? {} : { oomKill: true }) });
  }
  const assertion = [...state.stderr].reverse().find((line) => /GGML_ASSERT|GGML_ABORT|error/i.test(line));
  throw new CladeError("training-failed",
    `The LoRA trainer crashed (${signal ?? `exit code ${code}`})${assertion ? `: ${assertion.trim()}` : ""}.`,
    "llama.cpp aborted training for this model and settings: try a smaller contextSize, fewer target modules or another model; the log has the trainer's output.", details);
}

/** The kernel's count of out-of-memory kills since boot (Linux /proc/vmstat); undefined where it is not available. */
async function oomKills(): Promise<number | undefined> {
  try {
    const match = /^oom_kill (\d+)$/m.exec(await readFile("/proc/vmstat", "latin1"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
