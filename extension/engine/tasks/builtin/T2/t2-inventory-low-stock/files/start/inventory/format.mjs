export function padRight(text, width) {
  return String(text).padEnd(width);
}

export function table(rows) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  return rows.map((row) => row.map((cell, col) => padRight(cell, widths[col])).join("  ").trimEnd()).join("\n");
}
