// Which backend the LoRA trainer trains on: the one inference uses. The trainer links
// node-llama-cpp's prebuilt llama.cpp (scripts/buildTrainer.mjs), one executable per backend:
// clade-lora-train (CPU; on macOS it links the Metal build, so it trains on Metal) and
// clade-lora-train-cuda / -vulkan where those were built. The choice follows the model host's
// (model/backend.ts): the `gpu` setting, "auto" = the first GPU type node-llama-cpp supports here
// (its own order), and the same GPU-layers setting; the CPU trainer stays the fallback.
//
// chooseTrainerBackend is pure (tested in test/unit/trainerBackend.test.ts); resolveTrainerBackend
// gathers what it needs from node-llama-cpp and native-models/build/.
import { CladeError } from "../../protocol/errors";
import type { GpuChoice, TrainerBackend, TrainerBackendInfo, TrainerVariant } from "../../protocol/model";
import { findTrainerBinary } from "./trainerProcess";

export type GpuType = Exclude<TrainerBackend, "cpu">;

export interface TrainerBackendInputs {
  gpu: GpuChoice;
  /** The model host's setting: "auto" (as many as fit; the trainer gets -1, all) or a layer count. */
  gpuLayers: number | "auto";
  platform: NodeJS.Platform;
  /** node-llama-cpp's getLlamaGpuTypes("supported") without `false`, in its order. */
  supportedGpuTypes: readonly GpuType[];
  /** The trainer variants whose executables exist under native-models/build/. */
  builtVariants: readonly TrainerVariant[];
  /** GPU types whose runtime is present but whose binary found no device (the model host then runs on the CPU). */
  devicelessGpuTypes?: readonly GpuType[];
}

const VARIANTS: readonly TrainerVariant[] = ["cpu", "cuda", "vulkan"];
const NAMES: Record<TrainerBackend, string> = { cpu: "CPU", cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" };

/** The executable that trains on `type`: Metal is the default binary on macOS, CUDA/Vulkan their own. */
export function variantFor(type: GpuType): TrainerVariant {
  return type === "metal" ? "cpu" : type;
}

export function buildCommand(variant: TrainerVariant): string {
  return variant === "cpu" ? "npm run build:trainer" : `npm run build:trainer -- --variant ${variant}`;
}

function binaryName(variant: TrainerVariant): string {
  return variant === "cpu" ? "clade-lora-train" : `clade-lora-train-${variant}`;
}

/** Whether the trainer for `type` can exist here at all (Metal only in the macOS build; CUDA/Vulkan only off macOS). */
function platformHas(type: GpuType, platform: NodeJS.Platform): boolean {
  return type === "metal" ? platform === "darwin" : platform !== "darwin";
}

function layers(gpuLayers: number | "auto"): { value: number; text: string } {
  if (gpuLayers === "auto" || gpuLayers < 0) return { value: -1, text: "all layers on the GPU" };
  return { value: gpuLayers, text: `${gpuLayers} layer(s) on the GPU${gpuLayers === 0 ? " (the weights stay in RAM)" : ""}` };
}

/**
 * The trainer backend for a GPU choice. Throws a "no-binary" CladeError when a GPU was asked for
 * explicitly and its trainer is not built or the GPU is not supported here; "auto" falls back to
 * the CPU and says why.
 */
export function chooseTrainerBackend(inputs: TrainerBackendInputs): TrainerBackendInfo {
  const { gpu, platform, supportedGpuTypes, builtVariants } = inputs;
  const built = (variant: TrainerVariant) => builtVariants.includes(variant);
  const cpuBuilt = built("cpu");
  const notBuiltCpu = cpuBuilt ? "" : `; the trainer is not built (${buildCommand("cpu")})`;
  const cpu = (reason: string): TrainerBackendInfo => ({ gpuChoice: gpu, backend: "cpu", variant: "cpu", gpuLayers: 0, reason: `${reason}${notBuiltCpu}`, built: cpuBuilt });
  const onGpu = (type: GpuType, reason: string): TrainerBackendInfo => {
    const { value, text } = layers(inputs.gpuLayers);
    return { gpuChoice: gpu, backend: type, variant: variantFor(type), gpuLayers: value, reason: `${reason} (${binaryName(variantFor(type))}, ${text})`, built: true };
  };

  if (gpu === "cpu") return cpu('gpu is "cpu": the trainer runs on the CPU only');

  if (gpu !== "auto") {
    const name = NAMES[gpu];
    if (!platformHas(gpu, platform) || !supportedGpuTypes.includes(gpu)) {
      throw new CladeError("no-binary", `The LoRA trainer cannot train on ${name} here: ${platformHas(gpu, platform) ? `node-llama-cpp finds no ${name} runtime on this machine` : `node-llama-cpp has no ${name} build for ${platform}`}.`,
        `Set the gpu setting (clade.model.gpu, --gpu) to "auto" (best available, CPU fallback) or "cpu"${platformHas(gpu, platform) ? `; to train on ${name}, install its driver/runtime` : ""}.`,
        { gpu, supportedGpuTypes: [...supportedGpuTypes] });
    }
    const variant = variantFor(gpu);
    if (!built(variant)) {
      throw new CladeError("no-binary", `The ${gpu === "metal" ? "" : `${name} `}LoRA trainer (native-models/build/${binaryName(variant)}) is not built.`,
        `Run \`${buildCommand(variant)}\` (it needs cmake and a C++ compiler, and links node-llama-cpp's prebuilt ${name} binaries; nothing of llama.cpp is compiled), or set the gpu setting (clade.model.gpu, --gpu) to "auto" or "cpu".`,
        { gpu, variant });
    }
    return onGpu(gpu, `gpu is "${gpu}": the ${name} trainer`);
  }

  // "auto": the model host's order; the first GPU whose trainer is built, noting the ones skipped.
  const skipped: string[] = [];
  for (const type of supportedGpuTypes) {
    if (!platformHas(type, platform)) continue;
    if (inputs.devicelessGpuTypes?.includes(type)) {
      skipped.push(`the ${NAMES[type]} runtime is present but found no ${NAMES[type]} device`);
      continue;
    }
    const variant = variantFor(type);
    if (built(variant)) {
      const why = skipped.length ? `: ${skipped.join("; ")}` : ", the first GPU backend whose runtime is present here";
      return onGpu(type, `"auto" chose ${NAMES[type]}${why}`);
    }
    skipped.push(`${NAMES[type]} is available but the ${type === "metal" ? "" : `${NAMES[type]} `}trainer is not built (${buildCommand(variant)})`);
  }
  if (skipped.length) return cpu(`${skipped.join("; ")}; training on CPU`);
  return cpu(`"auto" trains on the CPU: no GPU runtime node-llama-cpp supports was found here`);
}

export interface TrainerBackendProbe {
  supportedGpuTypes(): Promise<GpuType[]>;
  builtVariants(): TrainerVariant[];
  /** GPU types "auto" would load whose binary finds no device (asked only for "auto"). */
  devicelessGpuTypes?(): Promise<GpuType[]>;
}

/** node-llama-cpp's supported GPU types (its order) and the trainer executables under native-models/build/. */
export const defaultProbe: TrainerBackendProbe = {
  async supportedGpuTypes() {
    const { getLlamaGpuTypes } = await import("node-llama-cpp");
    return (await getLlamaGpuTypes("supported")).filter((type): type is GpuType => type === "cuda" || type === "vulkan" || type === "metal");
  },
  builtVariants() {
    return VARIANTS.filter((variant) => findTrainerBinary(variant) !== undefined);
  },
  async devicelessGpuTypes() {
    // The model host's own "auto" Llama (model/backend.ts): shared, so this loads nothing twice.
    const { LlamaLogLevel } = await import("node-llama-cpp");
    const { getLlamaBackend } = await import("../model/backend");
    const auto = await getLlamaBackend("auto", LlamaLogLevel.error);
    return auto.deviceless ? [auto.deviceless] : [];
  },
};

/** The trainer backend for the model host's `gpu` and `gpuLayers` settings on this machine. */
export async function resolveTrainerBackend(settings: { gpu?: GpuChoice; gpuLayers?: number | "auto" }, probe: TrainerBackendProbe = defaultProbe): Promise<TrainerBackendInfo> {
  const gpu = settings.gpu ?? "auto";
  // The CPU choice needs neither node-llama-cpp's GPU probe nor a GPU trainer.
  const supportedGpuTypes = gpu === "cpu" ? [] : await probe.supportedGpuTypes();
  const gpuLayers = settings.gpuLayers === undefined || settings.gpuLayers === "auto" || settings.gpuLayers < 0 ? "auto" : settings.gpuLayers;
  const devicelessGpuTypes = gpu === "auto" && supportedGpuTypes.length ? ((await probe.devicelessGpuTypes?.()) ?? []) : [];
  return chooseTrainerBackend({ gpu, gpuLayers, platform: process.platform, supportedGpuTypes, builtVariants: probe.builtVariants(), devicelessGpuTypes });
}
