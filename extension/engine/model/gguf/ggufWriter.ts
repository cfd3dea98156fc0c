// Writes a GGUF v3 file, streaming tensor data: each tensor's values are produced chunk by chunk,
// encoded (F32, F16 or Q8_0) straight into the output buffer (or taken pre-encoded), hashed and
// written, so a model far larger than memory can be written. The file appears under its name
// only once it is complete.

import { endianness } from "node:os";
import { rename, rm } from "node:fs/promises";
import { CladeError, cancelledError } from "../../../protocol/errors";
import { encodeGgufHeader, metadataAlignment } from "./ggufHeader";
import { GGUF_DEFAULT_ALIGNMENT, Q8_0_BLOCK, Q8_0_BLOCK_BYTES, elementCount, gv, tensorByteSize, type GgufMetadata, type GgufTensorSpec } from "./ggufTypes";
import { HashingFileSink } from "./hashingFileSink";
import { encodeF16, quantizeQ8_0 } from "./quantize";

export interface GgufWriteOptions {
  metadata: GgufMetadata;
  tensors: GgufTensorSpec[];
  /** Called after each tensor is written. */
  onTensor?: (progress: { done: number; total: number; name: string }) => void;
  signal?: AbortSignal;
}

export interface GgufWriteResult {
  file: string;
  sha256: string;
  sizeBytes: number;
}

/** Encoded size of `n` values of the chunk's type. */
function encodedBytes(spec: GgufTensorSpec, n: number): number {
  if (spec.type === "F32") return n * 4;
  if (spec.type === "F16") return n * 2;
  return (n / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
}

async function writeTensorData(sink: HashingFileSink, spec: GgufTensorSpec, signal?: AbortSignal): Promise<void> {
  if (spec.encoded) return writeEncodedTensor(sink, spec, spec.encoded, signal);
  const expected = elementCount(spec.dims);
  let count = 0;
  for (const chunk of spec.data()) {
    if (signal?.aborted) throw cancelledError("Writing the GGUF file");
    if (spec.type === "Q8_0" && chunk.length % Q8_0_BLOCK !== 0) {
      throw new CladeError("internal", `Tensor "${spec.name}" produced a Q8_0 chunk of ${chunk.length} values (not a multiple of ${Q8_0_BLOCK}).`, "Report this bug.");
    }
    count += chunk.length;
    if (count > expected) break;
    await sink.append(encodedBytes(spec, chunk.length), (target, offset) => {
      if (spec.type === "F32") target.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset);
      else if (spec.type === "F16") encodeF16(chunk, target, offset);
      else quantizeQ8_0(chunk, target, offset);
    });
  }
  if (count !== expected) {
    throw new CladeError("internal", `Tensor "${spec.name}" produced ${count} values, expected ${expected}.`, "Report this bug.");
  }
}

async function writeEncodedTensor(sink: HashingFileSink, spec: GgufTensorSpec, encoded: () => Iterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  const expected = tensorByteSize(spec.type, spec.dims);
  let count = 0;
  for (const chunk of encoded()) {
    if (signal?.aborted) throw cancelledError("Writing the GGUF file");
    count += chunk.length;
    if (count > expected) break;
    await sink.bytes(chunk);
  }
  if (count !== expected) {
    throw new CladeError("internal", `Tensor "${spec.name}" produced ${count} bytes, expected ${expected}.`, "Report this bug.");
  }
}

export async function writeGgufFile(file: string, options: GgufWriteOptions): Promise<GgufWriteResult> {
  if (endianness() !== "LE") {
    throw new CladeError("internal", "Writing GGUF files is only supported on little-endian machines.", "Generate the model on an x86-64 or ARM machine.");
  }
  const metadata = [...options.metadata];
  const alignment = metadataAlignment(metadata, GGUF_DEFAULT_ALIGNMENT);
  if (!metadata.some(([key]) => key === "general.alignment")) metadata.push(["general.alignment", gv.u32(alignment)]);
  const header = encodeGgufHeader(metadata, options.tensors, alignment);

  const partial = `${file}.partial-${process.pid}`;
  const sink = await HashingFileSink.create(partial);
  try {
    await sink.bytes(header.bytes);
    const dataStart = sink.size;
    for (const [i, spec] of options.tensors.entries()) {
      const layout = header.tensors[i];
      await sink.zeros(dataStart + layout.offset - sink.size); // alignment padding after the previous tensor
      await writeTensorData(sink, spec, options.signal);
      options.onTensor?.({ done: i + 1, total: options.tensors.length, name: spec.name });
    }
    await sink.zeros(dataStart + header.dataSize - sink.size);
    const sizeBytes = sink.size;
    const sha256 = await sink.finish();
    await rename(partial, file);
    return { file, sha256, sizeBytes };
  } catch (error) {
    await sink.dispose();
    await rm(partial, { force: true });
    throw error;
  }
}
