// ModelInfo → the Markdown shown by "Clade: Show Model Info". Pure (no `vscode` import).
import path from "node:path";
import type { ModelInfo } from "../../protocol/model";
import { formatBytes, formatParameters } from "./catalog";

/** Numbers with a fixed en-US grouping, so the document reads the same everywhere (and tests can find them). */
export function groupDigits(count: number): string {
  return count.toLocaleString("en-US");
}

/** Escapes text for a Markdown table cell or inline position (file names may hold `|`, `*`, `_`...). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

export function modelDisplayName(info: Pick<ModelInfo, "name" | "file">): string {
  return info.name?.trim() || path.basename(info.file);
}

export function modelInfoMarkdown(info: ModelInfo, configured?: string): string {
  const rows: [string, string][] = [
    ["Architecture", `\`${info.architecture}\``],
    ["Parameters", `${formatParameters(info.parameterCount)} (${groupDigits(info.parameterCount)})`],
    ["Layers / embedding / vocabulary", `${info.layers} / ${groupDigits(info.embeddingLength)} / ${groupDigits(info.vocabularySize)}`],
    ["Context", `${groupDigits(info.contextPerSequence ?? Math.floor(info.contextSize / info.sequences))} tokens per sequence × ${info.sequences} sequence(s) (trained with ${groupDigits(info.trainContextLength)})${info.contextReason ? ` — ${escapeMarkdown(info.contextReason)}` : ""}`],
    ["Chat wrapper", `\`${info.chatWrapper}\`${info.chatTemplate ? "" : " (the file has no chat template)"}`],
    ["Function calling", info.functionCalling ? "yes, native" : "no (Clade constrains tool calls with a grammar)"],
    ["Backend", `${info.backend}, ${info.gpuLayers} layer(s) on the GPU${info.backendReason ? ` — ${escapeMarkdown(info.backendReason)}` : ""}`],
    ["Threads", String(info.threads)],
    ["Adapters", info.lora.length ? info.lora.map((l) => `${escapeMarkdown(path.basename(l.file))} × ${l.scale ?? 1}`).join(", ") : "none"],
    ["File size", formatBytes(info.sizeBytes)],
    ["Load time", `${groupDigits(info.loadMs)} ms`],
  ];
  const lines = [
    `# ${escapeMarkdown(modelDisplayName(info))}`,
    "",
    `\`${info.file.replace(/`/g, "'")}\``,
    ...(configured && configured !== info.file ? ["", `Configured as \`${configured.replace(/`/g, "'")}\``] : []),
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([key, value]) => `| ${key} | ${value} |`),
  ];
  if (info.sha256) lines.push("", `SHA-256: \`${info.sha256}\``);
  // The template can be hundreds of lines: folded, so the facts above stay on the first screen.
  if (info.chatTemplate) {
    const count = info.chatTemplate.split("\n").length;
    lines.push("", "## Chat template", "", `<details><summary>${count} line${count === 1 ? "" : "s"} of Jinja (click to show)</summary>`, "", "```jinja", info.chatTemplate.replace(/```/g, "` ` `"), "```", "", "</details>");
  }
  return lines.join("\n") + "\n";
}
