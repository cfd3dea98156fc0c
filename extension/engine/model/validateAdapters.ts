// Pre-flight checks that LoRA adapters fit the model, mirroring what llama.cpp's
// llama_adapter_lora_init verifies, so the user learns which adapter and which tensor is wrong.
import type { GgufFileInfo, GgufTensorInfo } from "node-llama-cpp";
import { CladeError } from "../../protocol/errors";
import type { LoraSpec } from "../../protocol/model";
import { checkGgufMagic, readHeader } from "./validateGguf";

export async function validateAdapters(lora: readonly LoraSpec[], model: GgufFileInfo): Promise<void> {
  const modelTensors = new Map((model.fullTensorInfo ?? model.tensorInfo ?? []).map((tensor) => [tensor.name, tensor]));
  const modelArch = String((model.metadata.general as { architecture?: string }).architecture);
  for (const spec of lora) {
    if (spec.scale !== undefined && !Number.isFinite(spec.scale)) {
      throw new CladeError("invalid-argument", `LoRA scale for ${spec.file} must be a finite number.`, "Use a scale such as 1 (full effect) or 0.5.");
    }
    await checkGgufMagic(spec.file, "LoRA adapter");
    const info = await readHeader(spec.file, "LoRA adapter");
    checkAdapter(spec.file, info, modelArch, modelTensors);
  }
}

function checkAdapter(file: string, info: GgufFileInfo, modelArch: string, modelTensors: Map<string, GgufTensorInfo>): void {
  const general = info.metadata.general as { type?: string; architecture?: string } | undefined;
  const adapterType = (info.metadata as { adapter?: { type?: string } }).adapter?.type;
  if (general?.type !== "adapter" || (adapterType !== undefined && adapterType !== "lora")) {
    throw incompatible(file, `it is not a LoRA adapter (general.type=${String(general?.type)}, adapter.type=${String(adapterType)})`);
  }
  if (general.architecture !== modelArch) {
    throw incompatible(file, `it was made for architecture "${String(general.architecture)}" but the model is "${modelArch}"`);
  }
  const tensors = new Map((info.tensorInfo ?? []).map((tensor) => [tensor.name, tensor]));
  let pairs = 0;
  for (const [name, a] of tensors) {
    if (!name.endsWith(".lora_a")) continue;
    const base = name.slice(0, -".lora_a".length);
    const b = tensors.get(`${base}.lora_b`);
    const target = modelTensors.get(base);
    if (!b) throw incompatible(file, `tensor ${name} has no matching ${base}.lora_b`);
    if (!target) throw incompatible(file, `it adapts tensor ${base}, which the model does not have`);
    const [aIn, aRank] = a.dimensions.map(Number);
    const [bRank, bOut] = b.dimensions.map(Number);
    const [tIn, tOut] = target.dimensions.map(Number);
    if (aIn !== tIn || bOut !== tOut) {
      throw incompatible(file, `${base} is ${tIn}x${tOut} in the model but the adapter's A/B are ${aIn}x${aRank} and ${bRank}x${bOut}`);
    }
    if (aRank !== bRank) throw incompatible(file, `${base}: lora_a rank ${aRank} differs from lora_b rank ${bRank}`);
    pairs++;
  }
  if (pairs === 0) throw incompatible(file, "it contains no lora_a/lora_b tensor pairs");
}

function incompatible(file: string, why: string): CladeError {
  return new CladeError(
    "adapter-incompatible",
    `The LoRA adapter ${file} does not fit the loaded model: ${why}.`,
    "Use an adapter trained for this exact model, or remove it from the lora list.",
    { file },
  );
}
