import test from "node:test";
import assert from "node:assert/strict";
import { mergeIntervals } from "../intervals.mjs";

test("merges overlaps and sorts", () => {
  assert.deepEqual(mergeIntervals([[8, 10], [1, 3], [2, 6], [15, 18]]), [[1, 6], [8, 10], [15, 18]]);
});

test("touching intervals merge, contained ones vanish", () => {
  assert.deepEqual(mergeIntervals([[1, 3], [3, 5]]), [[1, 5]]);
  assert.deepEqual(mergeIntervals([[1, 10], [2, 3], [4, 5]]), [[1, 10]]);
});

test("empty and untouched input", () => {
  assert.deepEqual(mergeIntervals([]), []);
  const input = [[5, 6], [1, 2]];
  mergeIntervals(input);
  assert.deepEqual(input, [[5, 6], [1, 2]]);
});
