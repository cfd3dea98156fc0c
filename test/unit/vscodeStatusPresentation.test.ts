// The status-bar item: text, click target and severity for each engine and model state.
import { describe, expect, it } from "vitest";
import type { ModelInfo } from "../../extension/protocol/model";
import { statusPresentation } from "../../extension/vscode/status/statusPresentation";

const info: ModelInfo = {
  file: "/models/tiny.gguf", sizeBytes: 1_200_000, architecture: "llama", name: "Tiny", parameterCount: 292_864,
  layers: 5, embeddingLength: 64, vocabularySize: 512, trainContextLength: 512, contextSize: 512, sequences: 1, contextPerSequence: 512, contextReason: "512 tokens per sequence as set (trained for 512).", threads: 1, backendReason: "clade.model.gpu is \"cpu\": llama.cpp runs on the CPU only.",
  backend: "cpu", gpuLayers: 0, chatTemplate: null, chatWrapper: "GeneralChatWrapper", functionCalling: false, lora: [], loadMs: 1234,
};

describe("status bar", () => {
  const none = { state: "none" } as const;
  it("walks starting → loading → ready → error", () => {
    expect(statusPresentation({ engine: "starting", model: none, modelConfigured: true }).text).toContain("starting");
    expect(statusPresentation({ engine: "running", model: { state: "loading" }, modelConfigured: true }).text).toContain("loading model");
    const ready = statusPresentation({ engine: "running", model: { state: "ready", info }, modelConfigured: true, modelName: "Tiny" });
    expect(ready.text).toBe("$(hubot) Tiny · cpu");
    expect(ready.command).toBe("clade.showModelInfo");
    const failed = statusPresentation({ engine: "running", model: { state: "error", error: { message: "bad file", reason: "model-corrupt", fix: "pick another" } }, modelConfigured: true });
    expect(failed.command).toBe("clade.showLog");
    expect(failed.severity).toBe("error");
    expect(failed.tooltip).toContain("Fix: pick another");
  });

  it("does not repeat a running session's progress (its notification has it): the model stays, the tooltip says where to look", () => {
    const running = statusPresentation({ engine: "running", model: { state: "ready", info }, modelConfigured: true, modelName: "Tiny", session: { done: 1, total: 3, best: "n1" } });
    expect(running.text).toBe("$(hubot) Tiny · cpu");
    expect(running.text).not.toMatch(/1\/3/);
    expect(running.tooltip).toMatch(/session is running \(1 of 3 evaluations, best version n1\): its progress is in its notification and the Sessions view/);
  });

  it("sends a crashed engine to the log and an unconfigured one to Select Model", () => {
    expect(statusPresentation({ engine: "crashed", model: none, modelConfigured: true }).command).toBe("clade.showLog");
    expect(statusPresentation({ engine: "stopped", model: none, modelConfigured: false }).command).toBe("clade.selectModel");
    expect(statusPresentation({ engine: "stopped", model: none, modelConfigured: true }).command).toBe("clade.showModelInfo");
  });
});
