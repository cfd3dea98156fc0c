// Presets and validation of a test model's shape.

import { CladeError } from "../../../protocol/errors";
import type { TestModelOptions, TestModelResult } from "../../../protocol/model";
import { TEST_MODEL_FAMILY_NAMES, testModelFamily, type TestModelFamily, type TestModelFamilyName } from "./testModelFamilies";
import { MIN_VOCAB } from "./testVocabulary";

export type TestModelShape = TestModelResult["shape"];
export type TestModelPreset = NonNullable<TestModelOptions["preset"]>;

export interface ResolvedTestModel {
  shape: TestModelShape & { type: "f32" | "f16" | "q8_0" };
  preset: TestModelPreset;
  architecture: string;
  /** Output projection shares token_embd (no output.weight), as Qwen2.5-0.5B does. */
  tiedEmbeddings: boolean;
  ropeFreqBase: number;
  seed: number;
  /** The model family whose chat template and special tokens the model carries (default: Qwen2.5's template, ChatML tokens). */
  family?: TestModelFamily;
}

interface PresetDefinition {
  shape: TestModelShape & { type: "f32" | "f16" | "q8_0" };
  tiedEmbeddings: boolean;
  ropeFreqBase: number;
  architecture?: string;
  family?: TestModelFamilyName;
}

const TOY_SHAPE: PresetDefinition["shape"] = { layers: 2, embd: 64, heads: 4, kvHeads: 2, ff: 128, vocab: 1024, contextLength: 2048, type: "f32" };

/**
 * A family preset: the toy's shape (a longer trained context, for tool documentation) with the
 * family's architecture, template and special tokens. Embeddings stay untied even where the
 * family's small models tie them: a tied toy (gemma3, phi3) repeats one token forever.
 */
function familyPreset(name: TestModelFamilyName): PresetDefinition {
  const family = testModelFamily(name);
  return {
    shape: { ...TOY_SHAPE, contextLength: 8192 },
    tiedEmbeddings: false,
    ropeFreqBase: family.ropeFreqBase,
    architecture: family.architecture,
    family: name,
  };
}

export const TEST_MODEL_PRESETS: Record<TestModelPreset, PresetDefinition> = {
  toy: {
    shape: TOY_SHAPE,
    tiedEmbeddings: false,
    ropeFreqBase: 10000,
  },
  // Qwen2.5-0.5B's dimensions (494M parameters with tied embeddings).
  "qwen2.5-0.5b": {
    shape: { layers: 24, embd: 896, heads: 14, kvHeads: 2, ff: 4864, vocab: 151936, contextLength: 32768, type: "q8_0" },
    tiedEmbeddings: true,
    ropeFreqBase: 1000000,
  },
  ...(Object.fromEntries(TEST_MODEL_FAMILY_NAMES.map((name) => [name, familyPreset(name)])) as Record<TestModelFamilyName, PresetDefinition>),
};

function invalid(message: string, fix: string): CladeError {
  return new CladeError("invalid-argument", message, fix);
}

function checkPositiveInt(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(`Test model option "${name}" must be an integer from 1 to ${max}, got ${value}.`, `Pass a valid "${name}".`);
  }
}

export function resolveTestModel(options: TestModelOptions): ResolvedTestModel {
  const preset = options.preset ?? "toy";
  const definition = TEST_MODEL_PRESETS[preset];
  if (!definition) {
    throw invalid(`Unknown test model preset "${String(preset)}".`, `Use one of: ${Object.keys(TEST_MODEL_PRESETS).join(", ")}.`);
  }
  const base = definition.shape;
  const heads = options.heads ?? base.heads;
  const shape = {
    layers: options.layers ?? base.layers,
    embd: options.embd ?? base.embd,
    heads,
    // With only `heads` overridden, keep the preset's KV heads if they still divide it.
    kvHeads: options.kvHeads ?? (heads % base.kvHeads === 0 ? base.kvHeads : heads),
    ff: options.ff ?? base.ff,
    vocab: options.vocab ?? base.vocab,
    contextLength: options.contextLength ?? base.contextLength,
    type: options.type ?? base.type,
  };
  checkPositiveInt("layers", shape.layers, 512);
  checkPositiveInt("embd", shape.embd, 65536);
  checkPositiveInt("heads", shape.heads, 1024);
  checkPositiveInt("kvHeads", shape.kvHeads, 1024);
  checkPositiveInt("ff", shape.ff, 1 << 20);
  checkPositiveInt("contextLength", shape.contextLength, 1 << 24);
  checkPositiveInt("vocab", shape.vocab, 1 << 22);
  if (shape.vocab < MIN_VOCAB) throw invalid(`A test model needs a vocabulary of at least ${MIN_VOCAB} tokens, got ${shape.vocab}.`, `Pass vocab ≥ ${MIN_VOCAB}.`);
  if (shape.embd % shape.heads !== 0) throw invalid(`embd (${shape.embd}) must be a multiple of heads (${shape.heads}).`, "Change embd or heads.");
  if ((shape.embd / shape.heads) % 2 !== 0) throw invalid(`The head size embd/heads (${shape.embd / shape.heads}) must be even for RoPE.`, "Change embd or heads.");
  if (shape.heads % shape.kvHeads !== 0) throw invalid(`heads (${shape.heads}) must be a multiple of kvHeads (${shape.kvHeads}).`, "Change heads or kvHeads.");
  if (!["f32", "f16", "q8_0"].includes(shape.type)) throw invalid(`Unknown tensor type "${shape.type}".`, "Use f32, f16 or q8_0.");
  if (shape.type === "q8_0" && (shape.embd % 32 !== 0 || shape.ff % 32 !== 0)) {
    throw invalid(`Q8_0 needs embd and ff to be multiples of 32 (got ${shape.embd} and ${shape.ff}).`, "Change the dimensions or use type f16 or f32.");
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw invalid(`The seed must be an integer from 0 to 4294967295, got ${seed}.`, "Pass a valid seed.");
  const architecture = options.architecture ?? definition.architecture ?? "llama";
  if (!/^[A-Za-z0-9_.-]+$/.test(architecture)) throw invalid(`Invalid architecture name "${architecture}".`, "Use letters, digits, '.', '_' or '-'.");
  const family = definition.family ? testModelFamily(definition.family) : undefined;
  if (family && shape.vocab < 256 + family.specialTokens.length) {
    throw invalid(`The ${family.family} preset needs a vocabulary of at least ${256 + family.specialTokens.length} tokens, got ${shape.vocab}.`, `Pass vocab ≥ ${256 + family.specialTokens.length}.`);
  }
  return { shape, preset, architecture, tiedEmbeddings: definition.tiedEmbeddings, ropeFreqBase: definition.ropeFreqBase, seed, ...(family ? { family } : {}) };
}
