import test from "node:test";
import assert from "node:assert/strict";
import { deepEqual } from "../deep-equal.mjs";

test("primitives", () => {
  assert.equal(deepEqual(1, 1), true);
  assert.equal(deepEqual("a", "b"), false);
  assert.equal(deepEqual(NaN, NaN), true);
  assert.equal(deepEqual(0, -0), true);
  assert.equal(deepEqual(null, undefined), false);
  assert.equal(deepEqual(null, {}), false);
});

test("arrays and objects", () => {
  assert.equal(deepEqual([1, [2, { x: 3 }]], [1, [2, { x: 3 }]]), true);
  assert.equal(deepEqual([1, 2], [1, 2, 3]), false);
  assert.equal(deepEqual({ a: 1, b: { c: [1] } }, { b: { c: [1] }, a: 1 }), true);
  assert.equal(deepEqual({ a: 1 }, { a: 1, b: undefined }), false);
  assert.equal(deepEqual({ a: undefined }, { b: undefined }), false);
  assert.equal(deepEqual([], {}), false);
  assert.equal(deepEqual({ 0: "x", length: 1 }, ["x"]), false);
});

test("dates", () => {
  assert.equal(deepEqual(new Date(5), new Date(5)), true);
  assert.equal(deepEqual(new Date(5), new Date(6)), false);
  assert.equal(deepEqual({ when: new Date(1) }, { when: new Date(1) }), true);
});
