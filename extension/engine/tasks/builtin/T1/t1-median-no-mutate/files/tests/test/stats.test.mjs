import test from "node:test";
import assert from "node:assert/strict";
import { mean, median } from "../stats.mjs";

test("odd and even counts, numeric order", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([10, 9, 100, 1]), 9.5);
  assert.equal(median([-5, 20, 3]), 3);
});

test("does not change its argument", () => {
  const input = [3, 1, 2];
  median(input);
  assert.deepEqual(input, [3, 1, 2]);
});

test("empty throws", () => {
  assert.throws(() => median([]), RangeError);
});

test("mean", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
});
