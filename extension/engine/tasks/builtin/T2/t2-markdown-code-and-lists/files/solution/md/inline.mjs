const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function renderEmphasis(text) {
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/\*(.+?)\*/g, "<em>$1</em>");
}

/** Inline markup: code spans, **bold** and *italic*. */
export function renderInline(text) {
  // Odd pieces of a split on backtick-delimited spans are code; even pieces get emphasis.
  return text
    .split(/`([^`]+)`/)
    .map((piece, i) => (i % 2 === 1 ? "<code>" + escapeHtml(piece) + "</code>" : renderEmphasis(piece)))
    .join("");
}
