// A trained LoRA adapter as row deltas for the base weights: W' = W + s·B·A per target matrix
// (s = alpha / rank, llama.cpp's scaling), so a generated test model can be rewritten with the
// adapter merged in (generateTestModel's rowDelta) and shipped as one GGUF.
import { open } from "node:fs/promises";
import { readGgufFileInfo } from "node-llama-cpp";
import type { RowDelta } from "../../model/testModel/llamaTensors";

interface Factor {
  rows: number;
  cols: number;
  data: Float32Array;
}

export async function loraRowDelta(adapterFile: string, scale = 1): Promise<RowDelta> {
  const info = await readGgufFileInfo(adapterFile, { readTensorInfo: true });
  const alpha = Number((info.metadata as { adapter?: { lora?: { alpha?: number } } }).adapter?.lora?.alpha ?? 0);
  const factors = new Map<string, Factor>();
  const file = await open(adapterFile, "r");
  try {
    for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) {
      if (tensor.ggmlType !== 0) throw new Error(`LoRA tensor ${tensor.name} is not F32 (type ${tensor.ggmlType}).`);
      const [cols, rows] = tensor.dimensions.map(Number);
      const bytes = Buffer.alloc(rows * cols * 4);
      await file.read(bytes, 0, bytes.length, Number(tensor.fileOffset));
      factors.set(tensor.name, { rows, cols, data: new Float32Array(bytes.buffer, bytes.byteOffset, rows * cols) });
    }
  } finally {
    await file.close();
  }
  return (tensor: string) => {
    const base = tensor.replace(/\.weight$/, "");
    const a = factors.get(`${base}.weight.lora_a`) ?? factors.get(`${base}.lora_a`);
    const b = factors.get(`${base}.weight.lora_b`) ?? factors.get(`${base}.lora_b`);
    if (!a || !b) return undefined;
    const rank = a.rows; // lora_a: rank rows of the input width; lora_b: output rows of rank
    const s = (alpha > 0 ? alpha / rank : 1) * scale;
    return (row: number, values: Float32Array) => {
      for (let k = 0; k < rank; k++) {
        const weight = s * b.data[row * rank + k];
        if (weight === 0) continue;
        const aRow = k * a.cols;
        for (let i = 0; i < values.length; i++) values[i] += weight * a.data[aRow + i];
      }
    };
  };
}
