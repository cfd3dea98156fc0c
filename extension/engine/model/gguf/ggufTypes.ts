// GGUF v3 on-disk constants and the typed values the writer accepts.
// Reference: ggml/include/gguf.h and ggml/src/gguf.cpp in the llama.cpp that node-llama-cpp ships.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types (enum gguf_type). */
export const GgufValueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufScalarTypeName = Exclude<keyof typeof GgufValueType, "array">;

/** Tensor element types this writer can encode (enum ggml_type). */
export const GgmlType = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

/** Q8_0: blocks of 32 values, each an f16 scale followed by 32 int8. */
export const Q8_0_BLOCK = 32;
export const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK;

export type GgufScalarValue =
  | { type: "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64"; value: number }
  | { type: "uint64" | "int64"; value: bigint | number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string };

export type GgufArrayValue =
  | { type: "array"; itemType: "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64"; value: ArrayLike<number> }
  | { type: "array"; itemType: "uint64" | "int64"; value: ArrayLike<bigint | number> }
  | { type: "array"; itemType: "bool"; value: ArrayLike<boolean> }
  | { type: "array"; itemType: "string"; value: ArrayLike<string> };

export type GgufValue = GgufScalarValue | GgufArrayValue;

/** Ordered metadata: GGUF keeps the key order it was written in. */
export type GgufMetadata = Array<[key: string, value: GgufValue]>;

/** Shorthands for building metadata values. */
export const gv = {
  u8: (value: number): GgufValue => ({ type: "uint8", value }),
  i8: (value: number): GgufValue => ({ type: "int8", value }),
  u16: (value: number): GgufValue => ({ type: "uint16", value }),
  i16: (value: number): GgufValue => ({ type: "int16", value }),
  u32: (value: number): GgufValue => ({ type: "uint32", value }),
  i32: (value: number): GgufValue => ({ type: "int32", value }),
  u64: (value: bigint | number): GgufValue => ({ type: "uint64", value }),
  i64: (value: bigint | number): GgufValue => ({ type: "int64", value }),
  f32: (value: number): GgufValue => ({ type: "float32", value }),
  f64: (value: number): GgufValue => ({ type: "float64", value }),
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  str: (value: string): GgufValue => ({ type: "string", value }),
  strs: (value: ArrayLike<string>): GgufValue => ({ type: "array", itemType: "string", value }),
  i32s: (value: ArrayLike<number>): GgufValue => ({ type: "array", itemType: "int32", value }),
  u32s: (value: ArrayLike<number>): GgufValue => ({ type: "array", itemType: "uint32", value }),
  f32s: (value: ArrayLike<number>): GgufValue => ({ type: "array", itemType: "float32", value }),
};

/**
 * One tensor to write. `dims` is in ggml order: dims[0] is the row length (the fastest-varying
 * index), so a PyTorch weight of shape [out, in] has dims [in, out]. Its contents come from one
 * of two producers, each called once and consumed chunk by chunk (so a large tensor is never
 * whole in memory):
 * - `data`: F32 values in row-major ggml order, which the writer encodes as `type`. Chunks must
 *   add up to the element count; for Q8_0 each chunk's length must be a multiple of 32.
 * - `encoded`: bytes already in `type`'s on-disk encoding, adding up to tensorByteSize().
 */
export type GgufTensorSpec = {
  name: string;
  dims: number[];
  type: GgmlTypeName;
} & ({ data: () => Iterable<Float32Array>; encoded?: never } | { encoded: () => Iterable<Uint8Array>; data?: never });

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/** Bytes a tensor of `type` with `dims` takes on disk (before alignment padding). */
export function tensorByteSize(type: GgmlTypeName, dims: readonly number[]): number {
  const n = elementCount(dims);
  switch (type) {
    case "F32":
      return n * 4;
    case "F16":
      return n * 2;
    case "Q8_0":
      return (n / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
  }
}
