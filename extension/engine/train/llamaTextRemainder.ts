// What a rendered chat text adds to an earlier rendering of the same conversation. Chat wrappers
// render append-only (a longer history renders as the shorter one plus more), so the text after a
// prompt is exactly what the model generated there, and the text after a reply is its end of turn
// plus the next turn. LlamaText squashes adjacent values of one kind, so the prefix's last value may
// be only the start of a longer value in the full text.
import { LlamaText, SpecialToken, SpecialTokensText, type LlamaTextValue } from "node-llama-cpp";

/** `full` without its prefix `prefix`, or undefined when `prefix` is not a prefix of `full`. */
export function llamaTextRemainder(full: LlamaText, prefix: LlamaText): LlamaText | undefined {
  const a = full.values;
  const b = prefix.values;
  if (b.length === 0) return full;
  if (b.length > a.length) return undefined;
  for (let i = 0; i < b.length - 1; i++) if (!sameValue(a[i], b[i])) return undefined;
  const last = b.length - 1;
  const rest = valueRemainder(a[last], b[last]);
  if (rest === undefined) return undefined;
  return LlamaText([...(rest === "" || (rest instanceof SpecialTokensText && rest.value === "") ? [] : [rest]), ...a.slice(b.length)]);
}

function sameValue(a: LlamaTextValue, b: LlamaTextValue): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a instanceof SpecialToken && b instanceof SpecialToken) return a.value === b.value;
  if (a instanceof SpecialTokensText && b instanceof SpecialTokensText) return a.value === b.value;
  return false;
}

/** The rest of `full` after `prefix` when both are text of one kind; "" when they are the same value. */
function valueRemainder(full: LlamaTextValue, prefix: LlamaTextValue): LlamaTextValue | undefined {
  if (typeof full === "string" && typeof prefix === "string") return full.startsWith(prefix) ? full.slice(prefix.length) : undefined;
  if (full instanceof SpecialTokensText && prefix instanceof SpecialTokensText) {
    return full.value.startsWith(prefix.value) ? new SpecialTokensText(full.value.slice(prefix.value.length)) : undefined;
  }
  return sameValue(full, prefix) ? "" : undefined;
}
