export function mean(values) {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function median(values) {
  const sorted = values.sort();
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
