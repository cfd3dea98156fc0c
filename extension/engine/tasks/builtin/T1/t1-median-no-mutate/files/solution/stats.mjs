export function mean(values) {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function median(values) {
  if (values.length === 0) throw new RangeError("median of an empty array");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
