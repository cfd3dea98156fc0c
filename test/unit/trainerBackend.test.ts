// Which backend the LoRA trainer trains on (engine/train/trainerBackend.ts): the model host's gpu
// choice and GPU-layers setting, the CPU trainer as the fallback. No GPU here: these rules are
// what is checked; training itself on CUDA/Vulkan/Metal is not.
import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { chooseTrainerBackend, resolveTrainerBackend, type TrainerBackendInputs } from "../../extension/engine/train/trainerBackend";

const linux = (over: Partial<TrainerBackendInputs>): TrainerBackendInputs => ({ gpu: "auto", gpuLayers: "auto", platform: "linux", supportedGpuTypes: [], builtVariants: ["cpu"], ...over });

function thrown(fn: () => unknown): CladeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CladeError) return error;
    throw error;
  }
  throw new Error("did not throw");
}

describe("chooseTrainerBackend", () => {
  it("auto: the first supported GPU whose trainer is built, all layers", () => {
    const choice = chooseTrainerBackend(linux({ supportedGpuTypes: ["cuda", "vulkan"], builtVariants: ["cpu", "cuda", "vulkan"] }));
    expect(choice).toMatchObject({ backend: "cuda", variant: "cuda", gpuLayers: -1, built: true, gpuChoice: "auto" });
    expect(choice.reason).toContain('"auto" chose CUDA');
    expect(choice.reason).toContain("clade-lora-train-cuda");
  });

  it("auto: CUDA supported but its trainer not built trains on the CPU and says how to build it", () => {
    const choice = chooseTrainerBackend(linux({ supportedGpuTypes: ["cuda"], builtVariants: ["cpu"] }));
    expect(choice).toMatchObject({ backend: "cpu", variant: "cpu", gpuLayers: 0, built: true });
    expect(choice.reason).toBe("CUDA is available but the CUDA trainer is not built (npm run build:trainer -- --variant cuda); training on CPU");
  });

  it("auto: skips an unbuilt CUDA trainer for a built Vulkan one, saying so", () => {
    const choice = chooseTrainerBackend(linux({ supportedGpuTypes: ["cuda", "vulkan"], builtVariants: ["cpu", "vulkan"] }));
    expect(choice).toMatchObject({ backend: "vulkan", variant: "vulkan", gpuLayers: -1 });
    expect(choice.reason).toMatch(/^"auto" chose Vulkan: CUDA is available but the CUDA trainer is not built \(npm run build:trainer -- --variant cuda\)/);
  });

  it("auto: a GPU runtime whose binary found no device trains on the CPU (or on the next GPU), saying so", () => {
    const none = chooseTrainerBackend(linux({ supportedGpuTypes: ["vulkan"], builtVariants: ["cpu", "vulkan"], devicelessGpuTypes: ["vulkan"] }));
    expect(none).toMatchObject({ backend: "cpu", variant: "cpu", gpuLayers: 0 });
    expect(none.reason).toBe("the Vulkan runtime is present but found no Vulkan device; training on CPU");
    const next = chooseTrainerBackend(linux({ supportedGpuTypes: ["cuda", "vulkan"], builtVariants: ["cpu", "cuda", "vulkan"], devicelessGpuTypes: ["cuda"] }));
    expect(next).toMatchObject({ backend: "vulkan", variant: "vulkan" });
    expect(next.reason).toMatch(/^"auto" chose Vulkan: the CUDA runtime is present but found no CUDA device/);
    // An explicit choice is kept (the trainer itself warns when it finds no device).
    expect(chooseTrainerBackend(linux({ gpu: "vulkan", supportedGpuTypes: ["vulkan"], builtVariants: ["cpu", "vulkan"], devicelessGpuTypes: ["vulkan"] }))).toMatchObject({ backend: "vulkan" });
  });

  it("auto: no GPU runtime trains on the CPU", () => {
    const choice = chooseTrainerBackend(linux({ supportedGpuTypes: [], builtVariants: ["cpu", "cuda"] }));
    expect(choice).toMatchObject({ backend: "cpu", variant: "cpu", gpuLayers: 0 });
    expect(choice.reason).toMatch(/no GPU runtime/);
  });

  it("auto with no trainer built at all: the CPU, marked not built, with the build command", () => {
    const choice = chooseTrainerBackend(linux({ supportedGpuTypes: [], builtVariants: [] }));
    expect(choice).toMatchObject({ backend: "cpu", built: false });
    expect(choice.reason).toContain("the trainer is not built (npm run build:trainer)");
  });

  it("cpu: the CPU trainer with 0 GPU layers, whatever else is there", () => {
    const choice = chooseTrainerBackend(linux({ gpu: "cpu", gpuLayers: 20, supportedGpuTypes: ["cuda"], builtVariants: ["cpu", "cuda"] }));
    expect(choice).toMatchObject({ backend: "cpu", variant: "cpu", gpuLayers: 0, gpuChoice: "cpu" });
    expect(chooseTrainerBackend({ ...linux({ gpu: "cpu" }), platform: "darwin", supportedGpuTypes: ["metal"] })).toMatchObject({ backend: "cpu", variant: "cpu", gpuLayers: 0 });
  });

  it("a GPU-layers number is passed through; auto (or -1) means all", () => {
    expect(chooseTrainerBackend(linux({ gpuLayers: 12, supportedGpuTypes: ["cuda"], builtVariants: ["cpu", "cuda"] }))).toMatchObject({ backend: "cuda", gpuLayers: 12 });
    expect(chooseTrainerBackend(linux({ gpu: "cuda", gpuLayers: 0, supportedGpuTypes: ["cuda"], builtVariants: ["cpu", "cuda"] }))).toMatchObject({ backend: "cuda", gpuLayers: 0 });
    expect(chooseTrainerBackend(linux({ gpuLayers: -1, supportedGpuTypes: ["cuda"], builtVariants: ["cpu", "cuda"] }))).toMatchObject({ gpuLayers: -1 });
  });

  it("explicit cuda without its trainer: a no-binary CladeError naming the build command", () => {
    const error = thrown(() => chooseTrainerBackend(linux({ gpu: "cuda", supportedGpuTypes: ["cuda"], builtVariants: ["cpu"] })));
    expect(error.reason).toBe("no-binary");
    expect(error.message).toContain("clade-lora-train-cuda");
    expect(error.fix).toContain("npm run build:trainer -- --variant cuda");
  });

  it("explicit cuda where node-llama-cpp finds no CUDA runtime: a CladeError, not a silent CPU run", () => {
    const error = thrown(() => chooseTrainerBackend(linux({ gpu: "cuda", supportedGpuTypes: ["vulkan"], builtVariants: ["cpu", "cuda", "vulkan"] })));
    expect(error.reason).toBe("no-binary");
    expect(error.message).toMatch(/no CUDA runtime/);
    expect(error.fix).toMatch(/"auto".*"cpu"/);
  });

  it("explicit vulkan: the Vulkan trainer, or the build command", () => {
    expect(chooseTrainerBackend(linux({ gpu: "vulkan", supportedGpuTypes: ["cuda", "vulkan"], builtVariants: ["cpu", "cuda", "vulkan"] }))).toMatchObject({ backend: "vulkan", variant: "vulkan", gpuLayers: -1 });
    const error = thrown(() => chooseTrainerBackend(linux({ gpu: "vulkan", supportedGpuTypes: ["vulkan"], builtVariants: ["cpu"] })));
    expect(error.fix).toContain("npm run build:trainer -- --variant vulkan");
  });

  it("macOS: Metal trains with the default binary (it links node-llama-cpp's Metal build)", () => {
    const darwin = { ...linux({}), platform: "darwin" as const, supportedGpuTypes: ["metal" as const], builtVariants: ["cpu" as const] };
    expect(chooseTrainerBackend(darwin)).toMatchObject({ backend: "metal", variant: "cpu", gpuLayers: -1, built: true });
    expect(chooseTrainerBackend({ ...darwin, gpu: "metal", gpuLayers: 8 })).toMatchObject({ backend: "metal", variant: "cpu", gpuLayers: 8 });
    // Not built: auto falls back (and says the trainer is not built); explicit metal is an error with the plain build command.
    expect(chooseTrainerBackend({ ...darwin, builtVariants: [] })).toMatchObject({ backend: "cpu", built: false });
    expect(thrown(() => chooseTrainerBackend({ ...darwin, gpu: "metal", builtVariants: [] })).fix).toContain("`npm run build:trainer`");
  });

  it("explicit metal off macOS is refused", () => {
    const error = thrown(() => chooseTrainerBackend(linux({ gpu: "metal", supportedGpuTypes: ["cuda"], builtVariants: ["cpu"] })));
    expect(error.message).toMatch(/no Metal build for linux/);
  });
});

describe("resolveTrainerBackend", () => {
  const probe = { supportedGpuTypes: async () => ["cuda" as const], builtVariants: () => ["cpu" as const, "cuda" as const] };

  it("takes the model host's settings: gpu default auto, gpuLayers -1/undefined = all", async () => {
    if (process.platform === "darwin") return; // the probe above is a Linux machine's
    expect(await resolveTrainerBackend({}, probe)).toMatchObject({ backend: "cuda", gpuLayers: -1 });
    expect(await resolveTrainerBackend({ gpu: "auto", gpuLayers: -1 }, probe)).toMatchObject({ backend: "cuda", gpuLayers: -1 });
    // The host's "auto" binary found no CUDA device: the trainer stays on the CPU too.
    expect(await resolveTrainerBackend({}, { ...probe, devicelessGpuTypes: async () => ["cuda" as const] })).toMatchObject({ backend: "cpu", gpuLayers: 0 });
    expect(await resolveTrainerBackend({ gpu: "cuda", gpuLayers: 30 }, probe)).toMatchObject({ backend: "cuda", gpuLayers: 30 });
  });

  it("cpu does not ask node-llama-cpp about GPUs", async () => {
    const choice = await resolveTrainerBackend({ gpu: "cpu" }, { supportedGpuTypes: () => Promise.reject(new Error("not asked")), builtVariants: () => ["cpu"] });
    expect(choice).toMatchObject({ backend: "cpu", gpuLayers: 0 });
  });
});
