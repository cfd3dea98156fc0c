/**
 * Merges overlapping or touching [start, end] intervals.
 */
export function mergeIntervals(intervals) {
  const sorted = intervals.map(([s, e]) => [s, e]).sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const current of sorted) {
    const previous = out[out.length - 1];
    if (previous && current[0] <= previous[1]) previous[1] = Math.max(previous[1], current[1]);
    else out.push(current);
  }
  return out;
}
