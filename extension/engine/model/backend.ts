// The llama.cpp binding for one GPU choice. We never compile llama.cpp on a user's machine
// (build: "never"): either a prebuilt binary for the requested backend works, or the user gets a
// "no-binary" error that says what to choose instead.
//
// One Llama per GPU choice lives for the whole process: node-llama-cpp 3.22.1 cannot route
// llama.cpp's log to a Llama created after an earlier one was disposed (the lines go to stderr),
// and the log is how we learn e.g. that an architecture is unsupported. The native libraries stay
// loaded either way; models and contexts are what use memory, and those are disposed.
import { getLlama, getLlamaGpuTypes, LlamaLogLevelGreaterThan, NoBinaryFoundError, type Llama, type LlamaLogLevel } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import type { Backend, GpuChoice } from "../../protocol/model";

export interface LlamaBackend {
  readonly llama: Llama;
  /** What was asked for. */
  readonly choice: GpuChoice;
  /** What is actually used: "cpu" when "auto" loaded a GPU binary that found no device. */
  readonly backend: Backend;
  /**
   * A GPU binary that loaded but found no device of its kind (a Vulkan loader with only a software
   * renderer, which llama.cpp skips; a CUDA runtime without a GPU): llama.cpp runs on the CPU.
   */
  readonly deviceless?: Exclude<Backend, "cpu" | "remote">;
}

export type LlamaLogListener = (level: LlamaLogLevel, message: string) => void;

const listeners = new Set<LlamaLogListener>();
const backends: LlamaBackend[] = [];
let creating: Promise<unknown> = Promise.resolve();

/** Receives llama.cpp's log lines (of every shared Llama) until the returned function is called. */
export function subscribeLlamaLog(listener: LlamaLogListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function fanOut(level: LlamaLogLevel, message: string): void {
  for (const listener of listeners) listener(level, message);
}

/**
 * The process-wide Llama for `choice`, created on first use. A second Llama on the same native
 * binding would lose the log too, so "auto" and a forced choice share one when they resolve to
 * the same backend. `logLevel` can only make the shared Llama more verbose.
 */
export function getLlamaBackend(choice: GpuChoice, logLevel: LlamaLogLevel): Promise<LlamaBackend> {
  const result = creating.then(async () => {
    const backend = (await findBackend(choice)) ?? (await createLlamaBackend(choice, logLevel));
    if (!backends.includes(backend)) backends.push(backend);
    if (LlamaLogLevelGreaterThan(backend.llama.logLevel, logLevel)) backend.llama.logLevel = logLevel;
    return backend;
  });
  creating = result.catch(() => undefined);
  return result;
}

async function findBackend(choice: GpuChoice): Promise<LlamaBackend | undefined> {
  if (choice !== "auto") return backends.find((backend) => backend.backend === choice);
  const earlierAuto = backends.find((backend) => backend.choice === "auto");
  if (earlierAuto) return earlierAuto;
  // What "auto" would try first (node-llama-cpp's own order); reuse it if we already have it.
  const [first] = await getLlamaGpuTypes("supported");
  return backends.find((backend) => backend.backend === (first === false || first === undefined ? "cpu" : first));
}

async function createLlamaBackend(choice: GpuChoice, logLevel: LlamaLogLevel): Promise<LlamaBackend> {
  let llama: Llama;
  try {
    llama = await getLlama({
      gpu: choice === "cpu" ? false : choice,
      build: "never",
      skipDownload: true,
      progressLogs: false,
      // 0 = no cap: the `threads` we pass to each context is then exactly what llama.cpp uses.
      maxThreads: 0,
      logger: fanOut,
      logLevel,
    });
  } catch (error) {
    throw noBinaryError(choice, error);
  }
  const loaded: Backend = llama.gpu === false ? "cpu" : llama.gpu;
  // node-llama-cpp quietly falls back to the CPU for some forced choices (e.g. "metal" on Linux).
  if (choice !== "auto" && choice !== loaded) {
    await llama.dispose();
    throw noBinaryError(choice, new Error(`got a ${loaded} binary instead`));
  }
  // node-llama-cpp picks a GPU binary when its runtime is installed, whether or not a device is there.
  if (llama.gpu !== false && (await llama.getGpuDeviceNames()).length === 0) {
    return { llama, choice, backend: choice === "auto" ? "cpu" : loaded, deviceless: llama.gpu };
  }
  return { llama, choice, backend: loaded };
}

function noBinaryError(choice: GpuChoice, cause: unknown): CladeError {
  const detail = cause instanceof NoBinaryFoundError ? "no prebuilt binary for it works on this machine" : cause instanceof Error ? cause.message : String(cause);
  return new CladeError(
    "no-binary",
    `llama.cpp cannot run with the "${choice}" backend here: ${detail}.`,
    choice === "auto" || choice === "cpu"
      ? "Reinstall Clade (its node-llama-cpp prebuilt binaries are missing or do not load on this system)."
      : `Set clade.model.gpu to "auto" (best available, CPU fallback) or "cpu"; to use ${choice}, install its driver/runtime and restart the engine.`,
    { gpu: choice },
    { cause },
  );
}

