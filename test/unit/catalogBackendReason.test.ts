// Why a backend runs: the sentence the Model view, Model Info and `system/hardware` show.
import { describe, expect, it } from "vitest";
import { backendReason } from "../../extension/engine/model/hardware";
import { backendWhy } from "../../extension/vscode/model/backendWhy";

describe("backendReason", () => {
  it("says what the choice was, what auto found, and the fix when no GPU runtime is there", () => {
    expect(backendReason("cpu", "cpu", ["cuda"], ["cuda", "vulkan"], [])).toBe('clade.model.gpu is "cpu": llama.cpp runs on the CPU only.');
    expect(backendReason("cuda", "cuda", ["cuda"], ["cuda"], ["NVIDIA RTX 4090"])).toBe('clade.model.gpu is "cuda": the cuda binary runs on NVIDIA RTX 4090.');
    expect(backendReason("auto", "vulkan", ["vulkan"], ["cuda", "vulkan"], ["AMD Radeon"])).toBe('"auto" chose vulkan, the first GPU backend whose runtime is present here on AMD Radeon.');
    expect(backendReason("auto", "cpu", [], ["cuda", "vulkan"], [])).toMatch(/^"auto" runs on the CPU: no GPU runtime was found \(looked for cuda, vulkan\)\. With an NVIDIA GPU install its driver and the CUDA runtime/);
    expect(backendReason("auto", "cpu", ["cuda"], ["cuda", "vulkan"], [])).toBe('"auto" runs on the CPU: the cuda runtime is present but no binary for it loaded (see the Clade log).');
    expect(backendReason("auto", "cpu", [], [], [])).toMatch(/no GPU backend for /);
  });

  it("shortens the reason for the Model view's row", () => {
    expect(backendWhy({ backendReason: 'clade.model.gpu is "cpu": llama.cpp runs on the CPU only.' })).toBe("llama.cpp runs on the CPU only.");
    expect(backendWhy({ backendReason: backendReason("auto", "cpu", [], ["cuda", "vulkan"], []) })).toBe("no GPU runtime was found (looked for cuda, vulkan).");
  });
});

describe("the Model view's sandbox row", () => {
  it("shows the mode and why; unconfined is a warning that says what agent code can do", async () => {
    const { sandboxRowFor } = await import("../../extension/vscode/model/backendWhy");
    expect(sandboxRowFor({ requested: "auto", mode: "bwrap", reason: "auto: bubblewrap is installed and can create namespaces here" }, undefined)).toMatchObject({ label: "sandbox: bwrap", description: "bubblewrap is installed and can create namespaces here", icon: "shield" });
    expect(sandboxRowFor({ requested: "auto", mode: "process", reason: "auto: nothing stronger works here", warning: "Agent commands run unconfined …" }, undefined)).toMatchObject({ label: "sandbox: process (unconfined)", icon: "warning" });
    expect(sandboxRowFor(undefined, "bwrap is not installed")).toMatchObject({ icon: "error" });
    expect(sandboxRowFor(undefined, undefined)).toBeUndefined();
  });
});
