// This machine as the model catalog sees it: RAM, CPU cores and the GPU llama.cpp would use, asked
// of the engine (`system/hardware`, for the configured clade.model.gpu). If the engine cannot say,
// RAM and cores from Node, and the pickers say the GPU is unknown.
import os from "node:os";
import { Requests } from "../../protocol/engine";
import type { GpuChoice, HardwareInfo } from "../../protocol/model";
import type { CladeDeps } from "../deps";
import { formatBytes, type MachineMemory } from "./catalog";

export interface MachineProfile extends MachineMemory {
  /** "24 GB RAM, 2 cores, no GPU (…)" for titles. */
  summary: string;
}

export function profileFromHardware(hardware: HardwareInfo): MachineProfile {
  const device = hardware.gpuDevices[0] ?? hardware.backend;
  const gpu = hardware.backend !== "cpu" && hardware.vramTotalBytes > 0 ? { backend: hardware.backend, name: device, vramBytes: hardware.vramTotalBytes } : undefined;
  const cores = hardware.cpuMathCores > 0 ? hardware.cpuMathCores : hardware.cpuCores;
  const gpuText = gpu ? `${gpu.name} (${hardware.backend}, ${formatBytes(gpu.vramBytes)})` : "no GPU in use";
  return { totalRamBytes: hardware.totalRamBytes, cpuCores: cores, gpu, summary: `${formatBytes(hardware.totalRamBytes)} RAM, ${cores} cores, ${gpuText}` };
}

export async function machineProfile(deps: CladeDeps): Promise<MachineProfile> {
  const raw = deps.configuration.raw().gpu;
  const gpu = (typeof raw === "string" ? raw : "auto") as GpuChoice;
  try {
    return profileFromHardware(await deps.archive.request(Requests.hardware, { gpu }));
  } catch (error) {
    deps.log.warn(`Could not ask the engine about the GPU (${error instanceof Error ? error.message : String(error)}); recommending by RAM and cores only.`);
    const cores = os.availableParallelism();
    return { totalRamBytes: os.totalmem(), cpuCores: cores, summary: `${formatBytes(os.totalmem())} RAM, ${cores} cores, GPU unknown` };
  }
}
