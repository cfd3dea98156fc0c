// The "Show Model Info" document: what it shows, and that names are escaped.
import { describe, expect, it } from "vitest";
import type { ModelInfo } from "../../extension/protocol/model";
import { escapeMarkdown, modelInfoMarkdown } from "../../extension/vscode/model/modelInfoMarkdown";

const info: ModelInfo = {
  file: "/models/tiny|model.gguf", sizeBytes: 1_200_000, architecture: "llama", name: "Tiny *Test*", parameterCount: 292_864,
  layers: 5, embeddingLength: 64, vocabularySize: 512, trainContextLength: 512, contextSize: 512, sequences: 1, contextPerSequence: 512, contextReason: "512 tokens per sequence as set (trained for 512).", threads: 1, backendReason: "clade.model.gpu is \"cpu\": llama.cpp runs on the CPU only.",
  backend: "cpu", gpuLayers: 0, chatTemplate: null, chatWrapper: "GeneralChatWrapper", functionCalling: false, lora: [], loadMs: 1234,
};

describe("model info document", () => {
  it("shows architecture, parameters, context, chat wrapper, backend and threads", () => {
    const md = modelInfoMarkdown(info, "/models/tiny|model.gguf");
    expect(md).toContain("# Tiny \\*Test\\*");
    expect(md).toContain("| Architecture | `llama` |");
    expect(md).toContain("| Parameters | 292.9K (292,864) |");
    expect(md).toContain("| Context | 512 tokens per sequence × 1 sequence(s) (trained with 512) — 512 tokens per sequence as set \\(trained for 512\\). |");
    expect(md).toContain("| Chat wrapper | `GeneralChatWrapper` (the file has no chat template) |");
    expect(md).toContain("| Function calling | no");
    expect(md).toContain('| Backend | cpu, 0 layer(s) on the GPU — clade.model.gpu is "cpu": llama.cpp runs on the CPU only. |');
    expect(md).toContain("| Threads | 1 |");
    expect(md).toContain("| Load time | 1,234 ms |");
    expect(md).not.toContain("Configured as");
  });

  it("adds the chat template and the configured URI when they differ", () => {
    const md = modelInfoMarkdown({ ...info, name: undefined, chatTemplate: "{{ messages }}", functionCalling: true, chatWrapper: "QwenChatWrapper" }, "hf:u/r:Q4_K_M");
    expect(md.startsWith("# tiny\\|model.gguf")).toBe(true);
    expect(md).toContain("Configured as `hf:u/r:Q4_K_M`");
    expect(md).toContain("| Function calling | yes, native |");
    expect(md).toContain("<details><summary>1 line of Jinja (click to show)</summary>\n\n```jinja\n{{ messages }}\n```\n\n</details>");
  });

  it("escapes Markdown in names", () => {
    expect(escapeMarkdown("a|b_c")).toBe("a\\|b\\_c");
  });
});
