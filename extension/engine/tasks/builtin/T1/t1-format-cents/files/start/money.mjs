/** Formats integer cents as "$1,234.56". */
export function formatCents(cents) {
  const dollars = Math.floor(cents / 100);
  const rest = cents % 100;
  return "$" + dollars + "." + rest;
}
