// Option parsers for the CLI: each rejects bad values with a message that says what is expected.
import { InvalidArgumentError } from "commander";
import type { GpuChoice, LoraSpec } from "../../protocol/model";

export function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? "∞" : max}, got "${value}".`);
    }
    return n;
  };
}

export function floatOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}

const gpuChoices: GpuChoice[] = ["auto", "cuda", "metal", "vulkan", "cpu"];
export function gpuOption(value: string): GpuChoice {
  if (!gpuChoices.includes(value as GpuChoice)) throw new InvalidArgumentError(`--gpu must be one of ${gpuChoices.join(", ")}, got "${value}".`);
  return value as GpuChoice;
}

/** `--lora FILE[:SCALE]`, repeatable. */
export function loraOption(value: string, previous: LoraSpec[] = []): LoraSpec[] {
  const match = /^(.*?)(?::([0-9.]+))?$/.exec(value);
  const file = match?.[1] ?? "";
  const scale = match?.[2] === undefined ? 1 : Number(match[2]);
  if (!file || !Number.isFinite(scale)) throw new InvalidArgumentError(`--lora expects FILE or FILE:SCALE, got "${value}".`);
  return [...previous, { file, scale }];
}

/** A comma-separated list (`--tasks a,b`); repeating the option adds to it. */
export function listOption(value: string, previous: string[] = []): string[] {
  const items = value.split(",").map((item) => item.trim()).filter(Boolean);
  if (!items.length) throw new InvalidArgumentError(`expected a comma-separated list, got "${value}".`);
  return [...previous, ...items];
}
