// What this machine offers llama.cpp: CPU cores and RAM, the GPU backend node-llama-cpp would use
// for a GPU choice, its devices and VRAM, and one sentence saying why that backend. The Model view
// and `clade doctor` show it; the model catalog fits its recommendation to it.
import os from "node:os";
import { getLlamaGpuTypes, LlamaLogLevel } from "node-llama-cpp";
import type { Backend, GpuChoice, HardwareInfo } from "../../protocol/model";
import { getLlamaBackend, type LlamaBackend } from "./backend";

export async function describeHardware(choice: GpuChoice): Promise<HardwareInfo> {
  const backend = await getLlamaBackend(choice, LlamaLogLevel.error);
  const { llama } = backend;
  const [devices, vram] = backend.backend === "cpu" ? [[], { total: 0, free: 0 }] : await Promise.all([llama.getGpuDeviceNames(), llama.getVramState()]);
  return {
    platform: `${process.platform}-${process.arch}`,
    cpuCores: os.availableParallelism(),
    cpuMathCores: llama.cpuMathCores,
    totalRamBytes: os.totalmem(),
    gpuChoice: choice,
    backend: backend.backend,
    gpuDevices: devices,
    vramTotalBytes: vram.total,
    vramFreeBytes: vram.free,
    backendReason: await describeBackendChoice(choice, backend, devices),
  };
}

/** backendReason() for a Llama the engine holds. */
export async function describeBackendChoice(choice: GpuChoice, backend: LlamaBackend, devices?: string[]): Promise<string> {
  const [runtimes, platformTypes, names] = await Promise.all([
    getLlamaGpuTypes("supported"),
    getLlamaGpuTypes("allValid"),
    devices ?? (backend.backend === "cpu" ? [] : backend.llama.getGpuDeviceNames()),
  ]);
  return backendReason(choice, backend.backend, gpuTypes(runtimes), gpuTypes(platformTypes), names, backend.deviceless);
}

function gpuTypes(types: readonly (string | false)[]): Backend[] {
  return types.filter((type): type is Backend => type !== false);
}

/**
 * Why `backend` runs for `choice`. `runtimes`: GPU backends whose driver/runtime node-llama-cpp
 * detects on this machine; `platform`: those it has binaries for on this platform at all.
 */
export function backendReason(choice: GpuChoice, backend: Backend, runtimes: readonly Backend[], platform: readonly Backend[], devices: readonly string[], deviceless?: Backend): string {
  const on = devices.length ? ` on ${devices.join(", ")}` : "";
  if (choice === "cpu") return 'clade.model.gpu is "cpu": llama.cpp runs on the CPU only.';
  if (deviceless) {
    // llama.cpp's Vulkan backend skips CPU-type devices (Mesa's llvmpipe) unless GGML_VK_VISIBLE_DEVICES lists them.
    const hint = deviceless === "vulkan" ? " (a software renderer such as llvmpipe does not count)" : "";
    const lead = choice === "auto" ? `"auto" runs on the CPU: the ${deviceless} runtime is present, but` : `clade.model.gpu is "${choice}": the ${deviceless} binary runs, but`;
    return `${lead} it found no ${deviceless} device${hint}, so llama.cpp computes on the CPU. With a GPU, install its driver and restart the engine.`;
  }
  if (choice !== "auto") return `clade.model.gpu is "${choice}": the ${backend} binary runs${on}.`;
  if (backend !== "cpu") return `"auto" chose ${backend}, the first GPU backend whose runtime is present here${on}.`;
  if (!platform.length) return `"auto" runs on the CPU: llama.cpp has no GPU backend for ${process.platform}-${process.arch}.`;
  if (!runtimes.length) {
    return `"auto" runs on the CPU: no GPU runtime was found (looked for ${platform.join(", ")}). With an NVIDIA GPU install its driver and the CUDA runtime; other GPUs need a Vulkan driver; then restart the engine.`;
  }
  return `"auto" runs on the CPU: the ${runtimes.join(", ")} runtime is present but no binary for it loaded (see the Clade log).`;
}
