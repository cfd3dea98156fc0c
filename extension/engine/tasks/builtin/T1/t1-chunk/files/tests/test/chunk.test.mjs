import test from "node:test";
import assert from "node:assert/strict";
import { chunk } from "../chunk.mjs";

test("even and uneven splits", () => {
  assert.deepEqual(chunk([1, 2, 3, 4], 2), [[1, 2], [3, 4]]);
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunk([1, 2], 5), [[1, 2]]);
});

test("empty input", () => {
  assert.deepEqual(chunk([], 3), []);
});

test("bad sizes throw RangeError", () => {
  assert.throws(() => chunk([1], 0), RangeError);
  assert.throws(() => chunk([1], -2), RangeError);
  assert.throws(() => chunk([1], 1.5), RangeError);
});

test("does not modify the input", () => {
  const input = [1, 2, 3];
  chunk(input, 2);
  assert.deepEqual(input, [1, 2, 3]);
});
