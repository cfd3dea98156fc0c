// `clade.model.*` settings → a validated ModelSpec. Pure (no `vscode` import): the caller reads the
// settings and passes plain values, so unit tests cover every rule. Every problem names the setting,
// what is wrong with its value, and how to fix it.
import os from "node:os";
import path from "node:path";
import { isRemoteModel, parseRemoteSpec } from "../../engine/model/remote/remoteSpec";
import { CladeError } from "../../protocol/errors";
import type { GpuChoice, ModelSpec } from "../../protocol/model";

/** The raw values of `clade.model.*` as VS Code returns them (anything a user may type). */
export interface RawModelSettings {
  path?: unknown;
  gpu?: unknown;
  gpuLayers?: unknown;
  contextSize?: unknown;
  threads?: unknown;
  sequences?: unknown;
  /** clade.session.parallel: the default for sequences (0). */
  parallel?: unknown;
}

export interface SettingProblem {
  /** Full setting id, e.g. "clade.model.threads". */
  setting: string;
  problem: string;
  fix: string;
}

export interface SpecContext {
  /** Where downloaded models go (the extension's global storage). */
  cacheDir?: string;
  homeDir?: string;
}

const GPU_CHOICES: readonly GpuChoice[] = ["auto", "cuda", "metal", "vulkan", "cpu"];
/** Fewer tokens than this per sequence cannot hold a system prompt and one tool call. */
export const MIN_TOKENS_PER_SEQUENCE = 256;

const INTEGER_RULES = {
  gpuLayers: { min: -1, max: 10_000, what: "-1 (as many as fit), 0 (CPU only) or a layer count" },
  contextSize: { min: 0, max: 1_048_576, what: "0 (sized from the model and free memory) or a token count per sequence from 256 to 1048576" },
  threads: { min: 0, max: 256, what: "0 (choose automatically) or a thread count up to 256" },
  sequences: { min: 0, max: 64, what: "0 (as many as clade.session.parallel) or a count from 1 to 64" },
} as const;

export type ModelSource = { kind: "file"; file: string } | { kind: "remote"; uri: string };

/** True when `clade.model.path` holds something (valid or not): drives `clade.modelConfigured`. */
export function isModelConfigured(raw: RawModelSettings): boolean {
  return typeof raw.path === "string" && raw.path.trim() !== "";
}

/** `hf:<user>/<repo>`, `hf:<user>/<repo>:<quant>` or `hf:<user>/<repo>/<file>.gguf`. */
export function isValidHfUri(uri: string): boolean {
  return /^hf:[\w.-]+\/[\w.-]+(?::[\w.-]+|\/[\w./-]+\.gguf)?$/i.test(uri);
}

/** Interprets `clade.model.path`: a local file (absolute, `~` expanded), a URI to download, or an inference server (`openai:`). */
export function parseModelPath(value: unknown, homeDir = os.homedir()): ModelSource | SettingProblem {
  const setting = "clade.model.path";
  if (typeof value !== "string" || value.trim() === "") {
    return { setting, problem: "no model is configured (`clade.model.path` is empty)", fix: "run \"Clade: Select Model…\" or set `clade.model.path` to a .gguf file" };
  }
  const text = value.trim();
  if (text.startsWith("hf:")) {
    if (isValidHfUri(text)) return { kind: "remote", uri: text };
    return { setting, problem: `"${text}" is not a valid hf: URI`, fix: "write it as hf:<user>/<repo>:<quant> (e.g. hf:bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF:Q4_K_M) or hf:<user>/<repo>/<file>.gguf" };
  }
  if (/^https?:\/\//i.test(text)) return { kind: "remote", uri: text };
  if (isRemoteModel(text)) {
    try {
      parseRemoteSpec(text);
      return { kind: "remote", uri: text };
    } catch (error) {
      return { setting, problem: error instanceof Error ? error.message.replace(/\.$/, "") : String(error), fix: "write it as openai:http://HOST:PORT/v1#MODEL (llama-server, vLLM, Ollama, LM Studio); the API key goes in \"Clade: Set Inference Server API Key\"" };
    }
  }
  const expanded = text === "~" || text.startsWith("~/") ? path.join(homeDir, text.slice(1)) : text;
  if (!path.isAbsolute(expanded)) {
    return { setting, problem: `"${text}" is a relative path`, fix: "use an absolute path to the .gguf file (a machine setting has no workspace to be relative to), or an hf: URI" };
  }
  return { kind: "file", file: path.normalize(expanded) };
}

function checkInteger(key: keyof typeof INTEGER_RULES, value: unknown, problems: SettingProblem[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  const rule = INTEGER_RULES[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < rule.min || value > rule.max) {
    problems.push({ setting: `clade.model.${key}`, problem: `${JSON.stringify(value)} is out of range`, fix: `set it to ${rule.what}` });
    return undefined;
  }
  return value;
}

/** Checks every setting and collects all problems at once (not just the first). */
export function validateModelSettings(raw: RawModelSettings, context: SpecContext = {}): { spec?: ModelSpec; problems: SettingProblem[] } {
  const problems: SettingProblem[] = [];
  const source = parseModelPath(raw.path, context.homeDir);
  if ("problem" in source) problems.push(source);
  let gpu: GpuChoice | undefined;
  if (raw.gpu !== undefined && raw.gpu !== null) {
    if (GPU_CHOICES.includes(raw.gpu as GpuChoice)) gpu = raw.gpu as GpuChoice;
    else problems.push({ setting: "clade.model.gpu", problem: `${JSON.stringify(raw.gpu)} is not a backend`, fix: `set it to one of ${GPU_CHOICES.join(", ")}` });
  }
  const gpuLayers = checkInteger("gpuLayers", raw.gpuLayers, problems);
  const contextSize = checkInteger("contextSize", raw.contextSize, problems);
  const threads = checkInteger("threads", raw.threads, problems);
  const sequences = checkInteger("sequences", raw.sequences, problems);
  if (contextSize !== undefined && contextSize !== 0 && contextSize < MIN_TOKENS_PER_SEQUENCE) {
    problems.push({
      setting: "clade.model.contextSize",
      problem: `${contextSize} tokens per sequence cannot hold a system prompt, the tools and one tool call`,
      fix: `set it to 0 (sized from the model) or at least ${MIN_TOKENS_PER_SEQUENCE} (an agent run wants 8192–16384)`,
    });
  }
  const parallel = typeof raw.parallel === "number" && Number.isInteger(raw.parallel) && raw.parallel >= 1 ? Math.min(64, raw.parallel) : 1;
  if (problems.length > 0 || "problem" in source) return { problems };
  const spec: ModelSpec = {
    model: source.kind === "file" ? source.file : source.uri,
    ...(gpu !== undefined && { gpu }),
    ...(gpuLayers !== undefined && { gpuLayers }),
    ...(contextSize !== undefined && contextSize !== 0 && { contextPerSequence: contextSize }),
    ...(threads !== undefined && { threads }),
    ...(sequences !== undefined && { sequences: sequences === 0 ? parallel : sequences }),
    ...(context.cacheDir !== undefined && { cacheDir: context.cacheDir }),
  };
  return { spec, problems };
}

/** Like validateModelSettings, but throws one "invalid-settings" CladeError listing every problem. */
export function modelSpecFromSettings(raw: RawModelSettings, context: SpecContext = {}): ModelSpec {
  const { spec, problems } = validateModelSettings(raw, context);
  if (spec) return spec;
  throw settingsError(problems);
}

export function settingsError(problems: readonly SettingProblem[]): CladeError {
  const message = problems.length === 1
    ? `Setting \`${problems[0].setting}\`: ${problems[0].problem}.`
    : `${problems.length} Clade model settings are invalid: ${problems.map((p) => `\`${p.setting}\`: ${p.problem}`).join("; ")}.`;
  const fix = problems.map((p) => (problems.length === 1 ? capitalize(p.fix) : `\`${p.setting}\`: ${p.fix}`)).join("; ") + ".";
  return new CladeError("invalid-settings", message, fix, { problems: problems.map((p) => ({ ...p })) });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
