/**
 * Merges overlapping or touching [start, end] intervals.
 */
export function mergeIntervals(intervals) {
  throw new Error("not implemented");
}
