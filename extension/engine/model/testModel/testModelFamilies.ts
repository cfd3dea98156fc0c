// Model families a generated test model can imitate: the published chat template and the special
// tokens of each, as data (families/<family>.json, the template stored as Hugging Face stores it,
// a JSON string, with where it was copied from). The weights and the rest of the vocabulary stay
// Clade's own; only the template, the special tokens and bos/eos are the family's.

import { CladeError } from "../../../protocol/errors";
import gemma3 from "./families/gemma3.json";
import llama31 from "./families/llama3.1.json";
import mistral from "./families/mistral.json";
import noTemplate from "./families/no-template.json";
import phi4Mini from "./families/phi4-mini.json";
import qwen25 from "./families/qwen2.5.json";
import qwen3 from "./families/qwen3.json";
import { TokenType } from "./testVocabulary";

export const TEST_MODEL_FAMILY_NAMES = ["qwen2.5", "qwen3", "llama3.1", "gemma3", "phi4-mini", "mistral", "no-template"] as const;
export type TestModelFamilyName = (typeof TEST_MODEL_FAMILY_NAMES)[number];

export interface SpecialTokenSpec {
  text: string;
  /** GGUF token type: control (hidden when detokenized, only parsed as special) or user-defined. */
  type: "control" | "userDefined";
}

export interface TestModelFamily {
  family: TestModelFamilyName;
  title: string;
  /** general.architecture written into the GGUF (one llama.cpp loads and the tensor writer supports). */
  architecture: string;
  ropeFreqBase: number;
  /** Where the template text comes from; null for the family without one. */
  templateSource: { publishedIn: string; copiedFrom: string; note?: string } | null;
  /** tokenizer.chat_template, verbatim; null writes no template. */
  chat_template: string | null;
  /** The family's special tokens in their vocabulary order (ids are not the real ones). */
  specialTokens: SpecialTokenSpec[];
  bos: string;
  eos: string;
  pad?: string;
  unk?: string;
  /** tokenizer.ggml.add_bos_token, as the family's GGUFs set it. */
  addBos: boolean;
  /** Tokens that end a turn (llama.cpp's end-of-generation tokens for the family). */
  endOfTurn: string[];
  /** What node-llama-cpp 3.22.1 makes of a model with this template (asserted by test/integration/families.test.ts). */
  expect: { wrapper: string; functionCalling: boolean };
  notes?: string[];
}

const FAMILIES: Record<TestModelFamilyName, TestModelFamily> = {
  "qwen2.5": qwen25 as TestModelFamily,
  qwen3: qwen3 as TestModelFamily,
  "llama3.1": llama31 as TestModelFamily,
  gemma3: gemma3 as TestModelFamily,
  "phi4-mini": phi4Mini as TestModelFamily,
  mistral: mistral as TestModelFamily,
  "no-template": noTemplate as TestModelFamily,
};

export function isTestModelFamily(name: string): name is TestModelFamilyName {
  return (TEST_MODEL_FAMILY_NAMES as readonly string[]).includes(name);
}

export function testModelFamily(name: TestModelFamilyName): TestModelFamily {
  const family = FAMILIES[name];
  if (!family) throw new CladeError("invalid-argument", `Unknown model family "${String(name)}".`, `Use one of: ${TEST_MODEL_FAMILY_NAMES.join(", ")}.`);
  return family;
}

export function testModelFamilies(): TestModelFamily[] {
  return TEST_MODEL_FAMILY_NAMES.map((name) => FAMILIES[name]);
}

/** The family's special tokens as the vocabulary builder takes them. */
export function familySpecialTokens(family: TestModelFamily): Array<{ text: string; type: number }> {
  return family.specialTokens.map((token) => ({ text: token.text, type: token.type === "control" ? TokenType.control : TokenType.userDefined }));
}

/** What test/integration/families.test.ts checks for every family (listed by `clade model families`). */
export const FAMILY_TEST_CHECKS: readonly string[] = [
  "metadata: architecture, chat template byte for byte, bos/eos as the family's GGUFs set them",
  "tokens: each special token is one token (control tokens special), the end-of-turn tokens end generation",
  "wrapper: node-llama-cpp resolves the expected chat wrapper, with or without native function calling",
  "render: a fixed conversation (system, user, tool call, tool result, user) rendered by renderInference matches test/fixtures/families/<family>.txt",
  "chat: through ModelHost, toolChoice required returns one parsed, schema-valid tool call written in the family's syntax and toolChoice auto completes",
  "agent run: the seed agent on t0-subtract-order through runTask with ModelHost completes and is scored; every reply not cut off is one tool call in the family's syntax",
  "training example: the run's example (openDatasetModel, finalConversation, buildMaskedExample) starts with the exact prompt tokens the host evaluated for its calls, unmasked but for earlier replies (Mistral: not append-only, expected; no-template: same text, tokens may differ at reply edges)",
];
