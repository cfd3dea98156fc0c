// ModelSpec validation and defaults, the default thread count, and tensor byte sizes.
import { describe, expect, it } from "vitest";
import { defaultThreads, resolveThreads } from "../../extension/engine/model/defaultThreads";
import { normalizeSpec, sameLora } from "../../extension/engine/model/modelSpec";
import { tensorBytes } from "../../extension/engine/model/tensorBytes";
import { CladeError } from "../../extension/protocol/errors";

describe("normalizeSpec", () => {
  it("fills in defaults", () => {
    expect(normalizeSpec({ model: "/m.gguf" })).toEqual({ model: "/m.gguf", gpu: "auto", gpuLayers: "auto", contextSize: undefined, threads: 0, sequences: 1, lora: [], cacheDir: undefined });
    expect(normalizeSpec({ model: "/m.gguf", gpuLayers: 0, lora: [{ file: "/a/../b.gguf" }] })).toMatchObject({ gpuLayers: 0, lora: [{ file: "/b.gguf", scale: 1 }] });
  });

  it("rejects bad values with invalid-argument", () => {
    for (const bad of [{ sequences: 0 }, { sequences: 1.5 }, { threads: -1 }, { contextSize: 10 }, { gpu: "tpu" as never }, { lora: [{ file: "rel.gguf" }] }]) {
      expect(() => normalizeSpec({ model: "/m.gguf", ...bad }), JSON.stringify(bad)).toThrow(CladeError);
    }
  });

  it("compares adapter lists by file and scale, in order", () => {
    expect(sameLora([{ file: "/a", scale: 1 }], [{ file: "/a", scale: 1 }])).toBe(true);
    expect(sameLora([{ file: "/a", scale: 1 }], [{ file: "/a", scale: 0.5 }])).toBe(false);
    expect(sameLora([], [{ file: "/a", scale: 1 }])).toBe(false);
  });
});

describe("threads", () => {
  it("uses 1 thread on machines with 2 or fewer cores and leaves one core free on bigger ones", () => {
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(2)).toBe(1);
    expect(defaultThreads(8)).toBe(7);
    expect(resolveThreads(0, 8)).toBe(7);
    expect(resolveThreads(undefined, 2)).toBe(1);
    expect(resolveThreads(3, 2)).toBe(3);
  });
});

describe("tensorBytes", () => {
  it("knows block layouts of plain and quantized types", () => {
    expect(tensorBytes({ dimensions: [64, 10], ggmlType: 0 })).toBe(64 * 10 * 4); // F32
    expect(tensorBytes({ dimensions: [64, 10], ggmlType: 1 })).toBe(64 * 10 * 2); // F16
    expect(tensorBytes({ dimensions: [64, 10], ggmlType: 8 })).toBe(2 * 34 * 10); // Q8_0
    expect(tensorBytes({ dimensions: [512, 3], ggmlType: 12 })).toBe(2 * 144 * 3); // Q4_K
    expect(tensorBytes({ dimensions: [8], ggmlType: 999 as never })).toBeUndefined();
  });
});
