const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => text.replace(/[&<>"']/g, (ch) => entities[ch]);

function lookup(data, path) {
  let value = data;
  for (const key of path.split(".")) value = value == null ? undefined : value[key];
  return value == null ? "" : String(value);
}

/**
 * Renders {{ path }} (escaped) and {{{ path }}} (raw) tags.
 */
export function render(template, data) {
  return template.replace(/\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([\w.]+)\s*\}\}/g, (_, raw, escaped) =>
    raw !== undefined ? lookup(data, raw) : escapeHtml(lookup(data, escaped)),
  );
}
