// The exact text the model wrote for each grammar-constrained ("required") tool call, by call id.
// The agent sends its calls back as {name, arguments}; rendering them with JSON.stringify would
// differ from what the model wrote (the JSON grammar lets it choose whitespace), so the next turn's
// prompt would diverge from the KV cache right after the assistant prefix and the model's own reply
// would be evaluated again every turn. Rendering the remembered text keeps the whole conversation
// a prefix of the next prompt.
import type { ToolCall } from "../../protocol/model";

export class ToolCallTexts {
  private readonly texts = new Map<string, { key: string; text: string }>();

  constructor(private readonly limit = 4096) {}

  remember(call: ToolCall, text: string): void {
    if (this.texts.size >= this.limit) this.texts.delete(this.texts.keys().next().value as string);
    this.texts.set(call.id, { key: keyOf(call), text });
  }

  /** The model's text for `call`, if it is the call the model made (same name and arguments). */
  textOf(call: ToolCall): string | undefined {
    const entry = this.texts.get(call.id);
    return entry && entry.key === keyOf(call) ? entry.text : undefined;
  }
}

function keyOf(call: ToolCall): string {
  return JSON.stringify([call.name, call.arguments ?? {}]);
}
