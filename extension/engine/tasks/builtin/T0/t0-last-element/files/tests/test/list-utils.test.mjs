import test from "node:test";
import assert from "node:assert/strict";
import { first, last } from "../list-utils.mjs";

test("last returns the last element", () => {
  assert.equal(last([1, 2, 3]), 3);
  assert.equal(last(["only"]), "only");
  assert.equal(last([]), undefined);
});

test("first still works", () => {
  assert.equal(first([7, 8]), 7);
});
