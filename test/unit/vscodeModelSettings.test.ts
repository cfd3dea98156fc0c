// `clade.model.*` settings → ModelSpec: every rule, and that messages name the setting and the fix.
import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { isModelConfigured, isValidHfUri, modelSpecFromSettings, parseModelPath, validateModelSettings } from "../../extension/vscode/model/modelSettings";

const defaults = { gpu: "auto", gpuLayers: -1, contextSize: 0, threads: 0, sequences: 0 };

function errorOf(run: () => unknown): CladeError {
  try {
    run();
  } catch (error) {
    if (CladeError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a CladeError");
}

describe("model settings → ModelSpec", () => {
  it("turns valid settings into a spec with the cache dir", () => {
    const spec = modelSpecFromSettings({ ...defaults, path: "/models/a.gguf", contextSize: 8192, threads: 1, sequences: 2 }, { cacheDir: "/store/models" });
    expect(spec).toEqual({ model: "/models/a.gguf", gpu: "auto", gpuLayers: -1, contextPerSequence: 8192, threads: 1, sequences: 2, cacheDir: "/store/models" });
  });

  it("by default sizes the context from the model and has one sequence per parallel job", () => {
    // The defaults once were 4096 tokens shared by 4 sequences: 1,024 tokens for an agent run.
    expect(modelSpecFromSettings({ ...defaults, path: "/m.gguf", parallel: 3 })).toEqual({ model: "/m.gguf", gpu: "auto", gpuLayers: -1, threads: 0, sequences: 3 });
    expect(modelSpecFromSettings({ ...defaults, path: "/m.gguf" }).sequences).toBe(1);
  });

  it("expands ~ and normalizes the path", () => {
    expect(parseModelPath("~/m/../models/x.gguf", "/home/me")).toEqual({ kind: "file", file: "/home/me/models/x.gguf" });
  });

  it("keeps hf: and https URIs for download", () => {
    expect(modelSpecFromSettings({ path: "hf:user/repo:Q4_K_M" }).model).toBe("hf:user/repo:Q4_K_M");
    expect(modelSpecFromSettings({ path: " hf:user/repo/sub/file.gguf " }).model).toBe("hf:user/repo/sub/file.gguf");
    expect(modelSpecFromSettings({ path: "https://example.invalid/m.gguf" }).model).toBe("https://example.invalid/m.gguf");
  });

  it("rejects an empty path with a fix that names Select Model", () => {
    expect(isModelConfigured({ path: "  " })).toBe(false);
    const error = errorOf(() => modelSpecFromSettings({ ...defaults, path: "" }));
    expect(error.reason).toBe("invalid-settings");
    expect(error.message).toContain("clade.model.path");
    expect(error.fix).toContain("Clade: Select Model");
  });

  it("rejects relative paths and malformed hf: URIs", () => {
    const relative = errorOf(() => modelSpecFromSettings({ path: "models/a.gguf" }));
    expect(relative.message).toContain("relative path");
    expect(relative.fix).toMatch(/absolute path/);
    expect(isValidHfUri("hf:user")).toBe(false);
    expect(isValidHfUri("hf:user/repo/file.bin")).toBe(false);
    expect(isValidHfUri("hf:user/repo")).toBe(true);
    const hf = errorOf(() => modelSpecFromSettings({ path: "hf:nope" }));
    expect(hf.message).toContain("not a valid hf: URI");
    expect(hf.fix).toContain("hf:<user>/<repo>:<quant>");
  });

  it("reports every bad number at once, each with its setting and range", () => {
    const { spec, problems } = validateModelSettings({ path: "/m.gguf", gpu: "tpu", gpuLayers: -2, contextSize: -100, threads: 1.5, sequences: 65 });
    expect(spec).toBeUndefined();
    expect(problems.map((p) => p.setting)).toEqual(["clade.model.gpu", "clade.model.gpuLayers", "clade.model.contextSize", "clade.model.threads", "clade.model.sequences"]);
    expect(problems[0].fix).toContain("auto, cuda, metal, vulkan, cpu");
    const error = errorOf(() => modelSpecFromSettings({ path: "/m.gguf", threads: -3, sequences: 99 }));
    expect(error.message).toMatch(/^2 Clade model settings are invalid: `clade.model.threads`: -3 is out of range; `clade.model.sequences`: 99/);
    expect(error.fix).toContain("`clade.model.threads`: set it to 0 (choose automatically)");
    expect(error.details?.problems).toHaveLength(2);
  });

  it("refuses a context per sequence too small for an agent turn", () => {
    const error = errorOf(() => modelSpecFromSettings({ path: "/m.gguf", contextSize: 200, sequences: 8 }));
    expect(error.message).toContain("200 tokens per sequence");
    expect(error.fix).toContain("at least 256");
    expect(modelSpecFromSettings({ path: "/m.gguf", contextSize: 512, sequences: 4 })).toMatchObject({ contextPerSequence: 512, sequences: 4 });
  });

  it("leaves unset values out of the spec", () => {
    expect(modelSpecFromSettings({ path: "/m.gguf" })).toEqual({ model: "/m.gguf" });
  });

  it("accepts an inference server (openai:) as the model, and names the problem in a malformed one", () => {
    expect(parseModelPath("openai:http://gpu-box:8080/v1#qwen2.5-coder-7b")).toEqual({ kind: "remote", uri: "openai:http://gpu-box:8080/v1#qwen2.5-coder-7b" });
    expect(modelSpecFromSettings({ path: "openai:http://gpu-box:8080/v1#q" }).model).toBe("openai:http://gpu-box:8080/v1#q");
    const bad = parseModelPath("openai:http://me:secret@gpu-box:8080/v1#q");
    expect(bad).toMatchObject({ setting: "clade.model.path" });
    expect((bad as { problem: string }).problem).toMatch(/carries a user name or password/);
    expect((bad as { fix: string }).fix).toMatch(/Set Inference Server API Key/);
  });
});
