// Encodes the GGUF v3 header: magic, version, counts, metadata key/values, tensor infos, and the
// padding up to the aligned start of the tensor data section.

import { CladeError } from "../../../protocol/errors";
import { ByteBuilder } from "./byteBuilder";
import {
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  GgufValueType,
  Q8_0_BLOCK,
  tensorByteSize,
  type GgmlTypeName,
  type GgufMetadata,
  type GgufScalarTypeName,
  type GgufValue,
} from "./ggufTypes";

/** ggml's GGML_MAX_NAME is 64 bytes including the terminating NUL. */
const MAX_TENSOR_NAME_BYTES = 63;

export interface GgufTensorLayout {
  name: string;
  dims: number[];
  type: GgmlTypeName;
  /** Offset from the start of the data section (a multiple of the alignment). */
  offset: number;
  byteSize: number;
}

export interface GgufHeader {
  bytes: Uint8Array;
  tensors: GgufTensorLayout[];
  /** Size of the data section, every tensor padded to the alignment. */
  dataSize: number;
}

function writeScalar(b: ByteBuilder, type: GgufScalarTypeName, v: number | bigint | boolean | string): void {
  switch (type) {
    case "uint8": return b.u8(v as number);
    case "int8": return b.i8(v as number);
    case "uint16": return b.u16(v as number);
    case "int16": return b.i16(v as number);
    case "uint32": return b.u32(v as number);
    case "int32": return b.i32(v as number);
    case "float32": return b.f32(v as number);
    case "float64": return b.f64(v as number);
    case "uint64": return b.u64(v as bigint | number);
    case "int64": return b.i64(v as bigint | number);
    case "bool": return b.u8(v ? 1 : 0);
    case "string": return b.str(v as string);
  }
}

function writeValue(b: ByteBuilder, value: GgufValue): void {
  b.u32(GgufValueType[value.type]);
  if (value.type !== "array") return writeScalar(b, value.type, value.value);
  b.u32(GgufValueType[value.itemType]);
  b.u64(value.value.length);
  for (let i = 0; i < value.value.length; i++) writeScalar(b, value.itemType, value.value[i]);
}

function invalid(message: string): CladeError {
  return new CladeError("invalid-argument", message, "Fix the tensor or metadata definition passed to the GGUF writer.");
}

function checkTensor(t: { name: string; dims: number[]; type: GgmlTypeName }, seen: Set<string>): void {
  if (seen.has(t.name)) throw invalid(`Tensor "${t.name}" is defined twice.`);
  seen.add(t.name);
  if (new TextEncoder().encode(t.name).length > MAX_TENSOR_NAME_BYTES) throw invalid(`Tensor name "${t.name}" is longer than ${MAX_TENSOR_NAME_BYTES} bytes.`);
  if (t.dims.length < 1 || t.dims.length > 4 || t.dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw invalid(`Tensor "${t.name}" has invalid dimensions [${t.dims.join(", ")}]: 1 to 4 positive integers expected.`);
  }
  if (t.type === "Q8_0" && t.dims[0] % Q8_0_BLOCK !== 0) {
    throw invalid(`Tensor "${t.name}" cannot be Q8_0: its row length ${t.dims[0]} is not a multiple of ${Q8_0_BLOCK}.`);
  }
}

/** The alignment the metadata declares (general.alignment), or the default. */
export function metadataAlignment(metadata: GgufMetadata, fallback: number): number {
  const entry = metadata.find(([key]) => key === "general.alignment");
  if (!entry) return fallback;
  const v = entry[1];
  const n = v.type === "uint32" ? v.value : NaN;
  if (!Number.isInteger(n) || n <= 0 || (n & (n - 1)) !== 0) throw invalid("general.alignment must be a uint32 power of two.");
  return n;
}

export function encodeGgufHeader(metadata: GgufMetadata, tensors: ReadonlyArray<{ name: string; dims: number[]; type: GgmlTypeName }>, alignment: number): GgufHeader {
  const b = new ByteBuilder();
  b.u32(GGUF_MAGIC);
  b.u32(GGUF_VERSION);
  b.u64(tensors.length);
  b.u64(metadata.length);
  const keys = new Set<string>();
  for (const [key, value] of metadata) {
    if (keys.has(key)) throw invalid(`Metadata key "${key}" is set twice.`);
    keys.add(key);
    b.str(key);
    writeValue(b, value);
  }
  const seen = new Set<string>();
  const layout: GgufTensorLayout[] = [];
  let offset = 0;
  for (const t of tensors) {
    checkTensor(t, seen);
    const byteSize = tensorByteSize(t.type, t.dims);
    b.str(t.name);
    b.u32(t.dims.length);
    for (const d of t.dims) b.u64(d);
    b.u32(GgmlType[t.type]);
    b.u64(offset);
    layout.push({ name: t.name, dims: t.dims, type: t.type, offset, byteSize });
    offset += byteSize + ((alignment - (byteSize % alignment)) % alignment);
  }
  b.padTo(alignment);
  return { bytes: b.bytes(), tensors: layout, dataSize: offset };
}
