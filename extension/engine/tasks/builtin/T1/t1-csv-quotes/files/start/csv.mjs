/** Splits one CSV line into fields. */
export function parseCsvLine(line) {
  return line.split(",");
}
