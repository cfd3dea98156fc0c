import test from "node:test";
import assert from "node:assert/strict";
import { add, subtract } from "../calc.mjs";

test("subtract", () => {
  assert.equal(subtract(10, 3), 7);
  assert.equal(subtract(3, 10), -7);
  assert.equal(subtract(5, 5), 0);
});

test("add", () => {
  assert.equal(add(2, 3), 5);
});
