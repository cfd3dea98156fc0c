// Why a backend runs: the sentence the Model view, Model Info and `system/hardware` show.
import { describe, expect, it } from "vitest";
import { backendReason } from "../../extension/engine/model/hardware";
import { backendWhy } from "../../extension/vscode/model/backendWhy";

describe("backendReason", () => {
  it("says what the choice was, what auto found, and the fix when no GPU runtime is there", () => {
    expect(backendReason("cpu", "cpu", ["cuda"], ["cuda", "vulkan"], [])).toBe('clade.model.gpu is "cpu": llama.cpp runs on the CPU only.');
    expect(backendReason("cuda", "cuda", ["cuda"], ["cuda"], ["NVIDIA RTX 4090"])).toBe('clade.model.gpu is "cuda": the cuda binary runs on NVIDIA RTX 4090.');
    expect(backendReason("auto", "vulkan", ["vulkan"], ["cuda", "vulkan"], ["AMD Radeon"])).toBe('"auto" chose vulkan, the first GPU backend whose runtime is present here on AMD Radeon.');
    expect(backendReason("auto", "cpu", [], ["cuda", "vulkan"], [])).toMatch(/^"auto" runs on the CPU: no GPU runtime was found \(looked for cuda, vulkan\)\. With an NVIDIA GPU install its driver and the CUDA runtime/);
    expect(backendReason("auto", "cpu", ["cuda"], ["cuda", "vulkan"], [])).toBe('"auto" runs on the CPU: the cuda runtime is present but no binary for it loaded (see the Clade log).');
    expect(backendReason("auto", "cpu", [], [], [])).toMatch(/no GPU backend for /);
    // A GPU binary that loaded without a device (a Vulkan loader with only llvmpipe): on the CPU, and said so.
    expect(backendReason("auto", "cpu", ["vulkan"], ["cuda", "vulkan"], [], "vulkan")).toBe('"auto" runs on the CPU: the vulkan runtime is present, but it found no vulkan device (a software renderer such as llvmpipe does not count), so llama.cpp computes on the CPU. With a GPU, install its driver and restart the engine.');
    expect(backendReason("cuda", "cuda", ["cuda"], ["cuda"], [], "cuda")).toBe('clade.model.gpu is "cuda": the cuda binary runs, but it found no cuda device, so llama.cpp computes on the CPU. With a GPU, install its driver and restart the engine.');
  });

  it("shortens the reason for the Model view's row", () => {
    expect(backendWhy({ backendReason: 'clade.model.gpu is "cpu": llama.cpp runs on the CPU only.' })).toBe("llama.cpp runs on the CPU only.");
    expect(backendWhy({ backendReason: backendReason("auto", "cpu", [], ["cuda", "vulkan"], []) })).toBe("no GPU runtime was found (looked for cuda, vulkan).");
  });
});

describe("the Model view's sandbox row", () => {
  it("shows the mode and why; unconfined is a warning that says what agent code can do", async () => {
    const { sandboxRowFor } = await import("../../extension/vscode/model/backendWhy");
    expect(sandboxRowFor({ requested: "auto", mode: "bwrap", reason: "auto: bubblewrap is installed and can create namespaces here" }, undefined)).toMatchObject({ label: "sandbox: bwrap", description: "bubblewrap is installed and can create namespaces here", icon: "shield" });
    expect(sandboxRowFor({ requested: "auto", mode: "process", reason: "auto: nothing stronger works here", warning: "Agent commands run unconfined …" }, undefined)).toMatchObject({ label: "sandbox: process (unconfined)", icon: "warning" });
    expect(sandboxRowFor(undefined, "bwrap is not installed")).toMatchObject({ icon: "error" });
    expect(sandboxRowFor(undefined, undefined)).toBeUndefined();
  });
});

describe("the Model view's Training row", () => {
  it("shows the backend the LoRA trainer would use and why; not built is a warning, an error carries its fix", async () => {
    const { trainerRowFor } = await import("../../extension/vscode/model/backendWhy");
    const { chooseTrainerBackend } = await import("../../extension/engine/train/trainerBackend");
    const cuda = chooseTrainerBackend({ gpu: "auto", gpuLayers: "auto", platform: "linux", supportedGpuTypes: ["cuda"], builtVariants: ["cpu", "cuda"] });
    expect(trainerRowFor(cuda, undefined)).toMatchObject({ label: "Training: cuda · all layers", icon: "rocket" });
    expect(trainerRowFor(cuda, undefined)?.description).toContain('"auto" chose CUDA');
    const fallback = chooseTrainerBackend({ gpu: "auto", gpuLayers: "auto", platform: "linux", supportedGpuTypes: ["cuda"], builtVariants: ["cpu"] });
    expect(trainerRowFor(fallback, undefined)).toMatchObject({ label: "Training: cpu", description: "CUDA is available but the CUDA trainer is not built (npm run build:trainer -- --variant cuda); training on CPU" });
    const layers = chooseTrainerBackend({ gpu: "vulkan", gpuLayers: 10, platform: "linux", supportedGpuTypes: ["vulkan"], builtVariants: ["cpu", "vulkan"] });
    expect(trainerRowFor(layers, undefined)?.label).toBe("Training: vulkan · 10 GPU layers");
    const none = chooseTrainerBackend({ gpu: "auto", gpuLayers: "auto", platform: "linux", supportedGpuTypes: [], builtVariants: [] });
    expect(trainerRowFor(none, undefined)).toMatchObject({ label: "Training: cpu (not built)", icon: "warning" });
    const error = trainerRowFor(undefined, { message: "The CUDA LoRA trainer is not built.", fix: "Run `npm run build:trainer -- --variant cuda`" });
    expect(error).toMatchObject({ label: "Training: unavailable", icon: "error" });
    expect(error?.tooltip).toContain("npm run build:trainer -- --variant cuda");
    expect(trainerRowFor(undefined, undefined)).toBeUndefined();
  });
});
