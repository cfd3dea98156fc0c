import { createHash } from "node:crypto";
import { mkdtemp, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { writeGgufFile, type GgufWriteResult } from "../../extension/engine/model/gguf/ggufWriter";
import { gv, tensorByteSize, type GgmlTypeName, type GgufTensorSpec } from "../../extension/engine/model/gguf/ggufTypes";
import { decodeTensorData, quantizeQ8_0 } from "../../extension/engine/model/gguf/quantize";
import { Prng } from "../../extension/engine/model/testModel/prng";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "clade-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  new Prng(seed, "values").fillUniform(v, 1);
  return v;
}

/** A tensor whose values come in chunks of `chunk` elements (a streaming producer). */
function tensor(name: string, dims: number[], type: GgmlTypeName, data: Float32Array, chunk = 64): GgufTensorSpec {
  return {
    name,
    dims,
    type,
    data: function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.slice(i, i + chunk);
    },
  };
}

async function readTensorBytes(file: string, offset: number, size: number): Promise<Uint8Array> {
  const fh = await open(file, "r");
  try {
    const buf = new Uint8Array(size);
    await fh.read(buf, 0, size, offset);
    return buf;
  } finally {
    await fh.close();
  }
}

describe("writeGgufFile", () => {
  const f32 = values(64 * 3, 1);
  const f16 = values(32 * 2, 2);
  const q8 = values(64 * 4, 3);
  const vec = values(5, 4);
  const cube = values(2 * 3 * 4, 5);
  let result: GgufWriteResult;
  let file: string;

  beforeAll(async () => {
    file = path.join(dir, "roundtrip.gguf");
    result = await writeGgufFile(file, {
      metadata: [
        ["general.architecture", gv.str("llama")],
        ["test.u8", gv.u8(250)],
        ["test.i8", gv.i8(-120)],
        ["test.u16", gv.u16(65000)],
        ["test.i16", gv.i16(-32000)],
        ["test.u32", gv.u32(4000000000)],
        ["test.i32", gv.i32(-2000000000)],
        ["test.f32", gv.f32(1.5)],
        ["test.f64", gv.f64(Math.PI)],
        ["test.bool", gv.bool(true)],
        ["test.str", gv.str("héllo ✓ 😀")],
        ["test.u64", gv.u64(2n ** 40n + 3n)],
        ["test.i64", gv.i64(-(2n ** 40n))],
        ["test.strs", gv.strs(["a", "", "ĠĠ b", "<|im_end|>"])],
        ["test.i32s", gv.i32s([1, -2, 3])],
        ["test.u32s", gv.u32s([7, 8])],
        ["test.f32s", gv.f32s([0.25, -4])],
        ["test.bools", { type: "array", itemType: "bool", value: [true, false] }],
        ["test.u8s", { type: "array", itemType: "uint8", value: [0, 255] }],
        ["test.emptyStrs", gv.strs([])],
      ],
      tensors: [
        tensor("t.f32", [64, 3], "F32", f32),
        tensor("t.vec", [5], "F32", vec, 5), // 20 bytes: the next tensor needs padding
        tensor("t.f16", [32, 2], "F16", f16, 32),
        tensor("t.q8", [64, 4], "Q8_0", q8, 64),
        tensor("t.cube", [2, 3, 4], "F32", cube),
      ],
    });
  });

  it("reports the file's real size and sha256", async () => {
    const bytes = await readFile(file);
    expect(result.sizeBytes).toBe(bytes.length);
    expect((await stat(file)).size).toBe(bytes.length);
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("GGUF");
    expect(bytes.readUInt32LE(4)).toBe(3);
    expect((await readdir(dir)).filter((f) => f.includes(".partial"))).toEqual([]);
  });

  it("writes metadata of every value type that node-llama-cpp reads back", async () => {
    const info = await readGgufFileInfo(file, { logWarnings: false });
    expect(info.version).toBe(3);
    const m = info.metadata as unknown as { test: Record<string, unknown>; general: Record<string, unknown> };
    expect(m.general.architecture).toBe("llama");
    expect(m.general.alignment).toBe(32); // added by the writer
    expect(m.test.u8).toBe(250);
    expect(m.test.i8).toBe(-120);
    expect(m.test.u16).toBe(65000);
    expect(m.test.i16).toBe(-32000);
    expect(m.test.u32).toBe(4000000000);
    expect(m.test.i32).toBe(-2000000000);
    expect(m.test.f32).toBe(1.5);
    expect(m.test.f64).toBe(Math.PI);
    expect(m.test.bool).toBe(true);
    expect(m.test.str).toBe("héllo ✓ 😀");
    expect(BigInt(m.test.u64 as bigint)).toBe(2n ** 40n + 3n);
    expect(BigInt(m.test.i64 as bigint)).toBe(-(2n ** 40n));
    expect(m.test.strs).toEqual(["a", "", "ĠĠ b", "<|im_end|>"]);
    expect(m.test.i32s).toEqual([1, -2, 3]);
    expect(m.test.u32s).toEqual([7, 8]);
    expect(m.test.f32s).toEqual([0.25, -4]);
    expect(m.test.bools).toEqual([true, false]);
    expect(m.test.u8s).toEqual([0, 255]);
    expect(m.test.emptyStrs).toEqual([]);
  });

  it("lays tensors out aligned, and their data reads back", async () => {
    const info = await readGgufFileInfo(file, { logWarnings: false });
    const tensors = info.tensorInfo ?? [];
    expect(tensors.map((t) => t.name)).toEqual(["t.f32", "t.vec", "t.f16", "t.q8", "t.cube"]);
    expect(tensors.map((t) => t.dimensions.map(Number))).toEqual([[64, 3], [5], [32, 2], [64, 4], [2, 3, 4]]);
    expect(tensors.map((t) => t.ggmlType)).toEqual([0, 0, 1, 8, 0]);
    const sources = [f32, vec, f16, q8, cube];
    const types: GgmlTypeName[] = ["F32", "F32", "F16", "Q8_0", "F32"];
    for (const [i, t] of tensors.entries()) {
      expect(Number(t.offset) % 32).toBe(0);
      expect(Number(t.fileOffset) % 32).toBe(0);
      const dims = t.dimensions.map(Number);
      const bytes = await readTensorBytes(file, Number(t.fileOffset), tensorByteSize(types[i], dims));
      const back = decodeTensorData(types[i], bytes, sources[i].length);
      // Values are within ±√3; F16 keeps 11 significant bits, Q8_0 is off by ≤ half a step of max/127.
      const tolerance = Math.sqrt(3) * (types[i] === "F32" ? 0 : types[i] === "F16" ? 2 ** -11 : 0.5 / 127 + 2 ** -11);
      for (let k = 0; k < back.length; k++) expect(Math.abs(back[k] - sources[i][k])).toBeLessThanOrEqual(tolerance * 1.001);
    }
    // Last tensor is padded to the alignment too: the file ends on a 32-byte boundary.
    expect(result.sizeBytes % 32).toBe(0);
  });

  it("streams a tensor larger than its write buffer", async () => {
    const n = 3_200_000; // 12.8 MB of F32: more than the 8 MB buffer, produced in 1 MB chunks
    const big = new Float32Array(n);
    new Prng(9, "big").fillUniform(big, 1);
    const out = path.join(dir, "big.gguf");
    const written = await writeGgufFile(out, { metadata: [], tensors: [tensor("big", [n], "F32", big, 250_000), tensor("one-chunk", [n], "F32", big, n)] });
    const info = await readGgufFileInfo(out, { logWarnings: false });
    for (const t of info.tensorInfo ?? []) {
      const back = new Float32Array((await readTensorBytes(out, Number(t.fileOffset), n * 4)).buffer);
      expect(back[0]).toBe(big[0]);
      expect(back[n - 1]).toBe(big[n - 1]);
      expect(back[1_234_567]).toBe(big[1_234_567]);
    }
    expect(written.sha256).toBe(createHash("sha256").update(await readFile(out)).digest("hex"));
  });

  it("writes pre-encoded tensor bytes as they are, and checks their size", async () => {
    const encoded = quantizeQ8_0(q8);
    const out = path.join(dir, "encoded.gguf");
    await writeGgufFile(out, { metadata: [], tensors: [{ name: "enc", dims: [64, 4], type: "Q8_0", encoded: function* () { yield encoded.subarray(0, 100); yield encoded.subarray(100); } }] });
    const info = await readGgufFileInfo(out, { logWarnings: false });
    const t = info.tensorInfo![0];
    expect(Array.from(await readTensorBytes(out, Number(t.fileOffset), encoded.length))).toEqual(Array.from(encoded));
    const short = await writeGgufFile(path.join(dir, "enc-short.gguf"), { metadata: [], tensors: [{ name: "enc", dims: [64, 4], type: "Q8_0", encoded: function* () { yield encoded.subarray(0, 100); } }] }).catch((e: unknown) => e);
    expect(CladeError.is(short, "internal")).toBe(true);
  });

  it("rejects a Q8_0 tensor whose rows are not blocks of 32", async () => {
    const out = path.join(dir, "bad-q8.gguf");
    const error = await writeGgufFile(out, { metadata: [], tensors: [tensor("bad", [30, 2], "Q8_0", values(60, 1))] }).catch((e: unknown) => e);
    expect(CladeError.is(error, "invalid-argument")).toBe(true);
    expect((error as CladeError).message).toContain("multiple of 32");
  });

  it("rejects duplicate tensor names and keys", async () => {
    const out = path.join(dir, "dup.gguf");
    const dupTensor = await writeGgufFile(out, { metadata: [], tensors: [tensor("x", [4], "F32", values(4, 1)), tensor("x", [4], "F32", values(4, 1))] }).catch((e: unknown) => e);
    expect(CladeError.is(dupTensor, "invalid-argument")).toBe(true);
    const dupKey = await writeGgufFile(out, { metadata: [["a", gv.u8(1)], ["a", gv.u8(2)]], tensors: [] }).catch((e: unknown) => e);
    expect(CladeError.is(dupKey, "invalid-argument")).toBe(true);
  });

  it("leaves no file behind when a tensor produces the wrong number of values", async () => {
    const out = path.join(dir, "short.gguf");
    const error = await writeGgufFile(out, { metadata: [], tensors: [tensor("short", [64], "F32", values(32, 1))] }).catch((e: unknown) => e);
    expect(CladeError.is(error, "internal")).toBe(true);
    const left = (await readdir(dir)).filter((f) => f.startsWith("short.gguf"));
    expect(left).toEqual([]);
  });

  it("stops when aborted", async () => {
    const out = path.join(dir, "aborted.gguf");
    const controller = new AbortController();
    controller.abort();
    const error = await writeGgufFile(out, { metadata: [], tensors: [tensor("t", [64], "F32", values(64, 1))], signal: controller.signal }).catch((e: unknown) => e);
    expect(CladeError.is(error, "cancelled")).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith("aborted.gguf"))).toEqual([]);
  });
});
