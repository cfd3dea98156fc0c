import test from "node:test";
import assert from "node:assert/strict";
import { indexOfSorted } from "../search.mjs";

test("finds every element", () => {
  const sorted = [1, 3, 5, 7, 9, 11, 13];
  sorted.forEach((value, index) => assert.equal(indexOfSorted(sorted, value), index));
});

test("single element and empty arrays", () => {
  assert.equal(indexOfSorted([4], 4), 0);
  assert.equal(indexOfSorted([], 4), -1);
});

test("absent values", () => {
  for (const missing of [0, 2, 8, 14]) assert.equal(indexOfSorted([1, 3, 5, 7, 9, 11, 13], missing), -1);
});
