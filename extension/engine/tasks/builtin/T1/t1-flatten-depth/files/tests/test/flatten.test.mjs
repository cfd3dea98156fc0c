import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { flatten } from "../flatten.mjs";

test("fully flattens by default", () => {
  assert.deepEqual(flatten([1, [2, [3, [4]]], 5]), [1, 2, 3, 4, 5]);
});

test("respects depth", () => {
  assert.deepEqual(flatten([1, [2, [3, [4]]]], 1), [1, 2, [3, [4]]]);
  assert.deepEqual(flatten([1, [2, [3, [4]]]], 2), [1, 2, 3, [4]]);
  const input = [1, [2]];
  const copy = flatten(input, 0);
  assert.deepEqual(copy, [1, [2]]);
  assert.notEqual(copy, input);
});

test("holes become undefined", () => {
  assert.deepEqual(flatten([1, , 3]), [1, undefined, 3]);
});

test("does not use Array.prototype.flat", () => {
  const source = readFileSync(new URL("../flatten.mjs", import.meta.url), "utf8");
  assert.doesNotMatch(source, /\.flat\(/);
});
