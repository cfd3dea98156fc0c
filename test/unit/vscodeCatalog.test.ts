// The recommended-model catalog: the shipped file is valid, and entries are fitted to RAM.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { estimateCpuTokensPerSecond, fitCatalog, fitLevel, formatBytes, formatParameters, MIN_RECOMMENDED_TOKENS_PER_SECOND, parseCatalog, usableRamBytes, type CatalogEntry } from "../../extension/vscode/model/catalog";
import { profileFromHardware } from "../../extension/vscode/model/machineProfile";
import { isValidHfUri } from "../../extension/vscode/model/modelSettings";

const GIB = 1024 ** 3;
const shipped = parseCatalog(JSON.parse(fs.readFileSync("native-models/catalog.json", "utf8")));

function entry(id: string, parameters: number, quantization: string, ramGiB: number): CatalogEntry {
  return { id, name: id, parameters, quantization, uri: `hf:u/${id}:${quantization}`, sizeBytes: (ramGiB * GIB) / 2, ramBytes: ramGiB * GIB, vramBytes: ramGiB * GIB, contextLength: 32768, why: "test" };
}

describe("model catalog", () => {
  it("ships valid entries with hf: URIs that clade.model.path accepts", () => {
    expect(shipped.length).toBeGreaterThanOrEqual(6);
    for (const e of shipped) {
      expect(isValidHfUri(e.uri), e.uri).toBe(true);
      expect(e.ramBytes).toBeGreaterThan(e.sizeBytes);
    }
    expect(shipped.map((e) => e.quantization)).toEqual(expect.arrayContaining(["Q4_K_M", "Q8_0"]));
  });

  it("rejects malformed catalogs naming the entry and field", () => {
    expect(() => parseCatalog({})).toThrow(/no `models` array/);
    const bad = { models: [{ ...entry("a", 1, "Q4_K_M", 1), ramBytes: -1 }] };
    expect(() => parseCatalog(bad)).toThrow(/entry 0 \("a"\) needs a positive number `ramBytes`/);
    expect(() => parseCatalog({ models: [entry("a", 1, "Q", 1), entry("a", 2, "Q", 1)] })).toThrow(/repeats the id "a"/);
    try {
      parseCatalog({ models: [{ ...entry("b", 1, "Q", 1), uri: "https://x" }] });
    } catch (error) {
      expect(CladeError.is(error, "internal")).toBe(true);
    }
  });

  it("keeps back a quarter of RAM (at least 2 GiB) for everything else", () => {
    expect(usableRamBytes({ totalRamBytes: 16 * GIB })).toBe(12 * GIB);
    expect(usableRamBytes({ totalRamBytes: 4 * GIB })).toBe(2 * GIB);
    expect(usableRamBytes({ totalRamBytes: 1 * GIB })).toBe(0);
  });

  it("grades fit: fits, tight (only the last GiB), too large", () => {
    const memory = { totalRamBytes: 8 * GIB };
    expect(fitLevel(entry("a", 1, "Q", 6), memory)).toBe("fits");
    expect(fitLevel(entry("b", 1, "Q", 6.5), memory)).toBe("tight");
    expect(fitLevel(entry("c", 1, "Q", 7.5), memory)).toBe("too-large");
  });

  it("recommends the largest Q4_K_M that fits, else the smallest entry", () => {
    const entries = [entry("s4", 1e9, "Q4_K_M", 1.5), entry("s8", 1e9, "Q8_0", 2), entry("m4", 3e9, "Q4_K_M", 3), entry("m8", 3e9, "Q8_0", 4.5), entry("l4", 7e9, "Q4_K_M", 6)];
    const pick = (total: number) => fitCatalog(entries, { totalRamBytes: total * GIB }).filter((f) => f.recommended).map((f) => f.entry.id);
    expect(pick(16)).toEqual(["l4"]);
    expect(pick(6)).toEqual(["m4"]);
    expect(pick(4)).toEqual(["s4"]);
    expect(pick(1)).toEqual(["s4"]);
    expect(fitCatalog(entries, { totalRamBytes: 6 * GIB }).map((f) => f.fit)).toEqual(["fits", "fits", "fits", "tight", "too-large"]);
  });

  it("recommends a shipped model on an 8 GiB laptop and marks the 7B Q8_0 too large", () => {
    const fitted = fitCatalog(shipped, { totalRamBytes: 8 * GIB });
    const recommended = fitted.filter((f) => f.recommended);
    expect(recommended).toHaveLength(1);
    expect(recommended[0].fit).toBe("fits");
    expect(fitted.find((f) => f.entry.id === "qwen2.5-coder-7b-instruct-q8_0")?.fit).toBe("too-large");
  });

  it("recommends by cores and GPU too: 2 cores and no GPU get a small model, not the 7B, and each entry says why", () => {
    const laptop = fitCatalog(shipped, { totalRamBytes: 24 * GIB, cpuCores: 2 });
    const pick = laptop.find((f) => f.recommended)!;
    expect(pick.entry.parameters).toBeLessThan(2e9);
    expect(pick.entry.quantization).toBe("Q4_K_M");
    expect(pick.reason).toMatch(/^recommended, the largest 4-bit model that fits in RAM and generates ≥ 10 tokens\/s on 2 cores: on the CPU \(2 cores\): about \d+ tokens\/s/);
    const sevenB = laptop.find((f) => f.entry.id === "qwen2.5-coder-7b-instruct-q4_k_m")!;
    expect(sevenB.fit).toBe("fits");
    expect(sevenB.recommended).toBe(false);
    expect(sevenB.cpuTokensPerSecond!).toBeLessThan(MIN_RECOMMENDED_TOKENS_PER_SECOND);
    // A 16-core desktop is fast enough for the 7B on the CPU.
    expect(fitCatalog(shipped, { totalRamBytes: 32 * GIB, cpuCores: 16 }).find((f) => f.recommended)?.entry.id).toBe("qwen2.5-coder-7b-instruct-q4_k_m");
    // A 12 GB GPU runs the 7B Q4 wholly on the GPU whatever the CPU; the reason names the GPU.
    const gpu = fitCatalog(shipped, { totalRamBytes: 16 * GIB, cpuCores: 2, gpu: { backend: "cuda", name: "NVIDIA RTX 4070", vramBytes: 12e9 } });
    const gpuPick = gpu.find((f) => f.recommended)!;
    expect(gpuPick.entry.id).toBe("qwen2.5-coder-7b-instruct-q4_k_m");
    expect(gpuPick.runsOn).toBe("gpu");
    expect(gpuPick.reason).toContain("runs wholly on the GPU (NVIDIA RTX 4070)");
    // A 4 GB GPU: the 7B does not fit in VRAM and says so.
    const small = fitCatalog(shipped, { totalRamBytes: 16 * GIB, cpuCores: 4, gpu: { backend: "vulkan", name: "iGPU", vramBytes: 4e9 } });
    expect(small.find((f) => f.entry.id === "qwen2.5-coder-7b-instruct-q4_k_m")?.reason).toMatch(/too large for the GPU's 4.0 GB, so mostly on the CPU/);
    expect(small.find((f) => f.recommended)?.runsOn).toBe("gpu");
    // Nothing fast enough: the fastest that fits, saying so.
    const slow = fitCatalog([entry("a", 7e9, "Q4_K_M", 6), entry("b", 13e9, "Q4_K_M", 9)], { totalRamBytes: 32 * GIB, cpuCores: 1 });
    expect(slow.find((f) => f.recommended)?.reason).toMatch(/^recommended, the fastest model that fits: none reaches/);
  });

  it("estimates CPU speed from memory bandwidth per core, capped", () => {
    expect(estimateCpuTokensPerSecond({ sizeBytes: 1e9 }, 2)).toBeCloseTo(10);
    expect(estimateCpuTokensPerSecond({ sizeBytes: 1e9 }, 64)).toBeCloseTo(50);
  });

  it("describes the machine from the engine's hardware answer", () => {
    const base = { platform: "linux-x64", cpuCores: 4, cpuMathCores: 2, totalRamBytes: 24e9, gpuChoice: "auto" as const, vramFreeBytes: 0, backendReason: "" };
    expect(profileFromHardware({ ...base, backend: "cpu", gpuDevices: [], vramTotalBytes: 0 })).toMatchObject({ cpuCores: 2, gpu: undefined, summary: "24.0 GB RAM, 2 cores, no GPU in use" });
    expect(profileFromHardware({ ...base, backend: "cuda", gpuDevices: ["NVIDIA H100"], vramTotalBytes: 80e9 })).toMatchObject({ gpu: { backend: "cuda", name: "NVIDIA H100", vramBytes: 80e9 }, summary: "24.0 GB RAM, 2 cores, NVIDIA H100 (cuda, 80.0 GB)" });
  });

  it("formats sizes and parameter counts", () => {
    expect(formatParameters(494_000_000)).toBe("494M");
    expect(formatParameters(1_540_000_000)).toBe("1.5B");
    expect(formatParameters(7_000_000_000)).toBe("7B");
    expect(formatParameters(292_864)).toBe("292.9K");
    expect(formatBytes(398_000_000)).toBe("398 MB");
    expect(formatBytes(4_680_000_000)).toBe("4.7 GB");
  });
});
