import test from "node:test";
import assert from "node:assert/strict";
import { calc } from "../calc/evaluate.mjs";

test("existing operators", () => {
  assert.equal(calc("1 + 2 * 3"), 7);
  assert.equal(calc("(1 + 2) * 3"), 9);
  assert.equal(calc("-(4 - 6) / 2"), 1);
  assert.throws(() => calc("2 +"), SyntaxError);
  assert.throws(() => calc("2 $ 3"), SyntaxError);
});

test("remainder", () => {
  assert.equal(calc("10 % 3"), 1);
  assert.equal(calc("1 + 10 % 4 * 2"), 5);
  assert.equal(calc("-7 % 3"), -1);
});

test("power precedence and associativity", () => {
  assert.equal(calc("2 ^ 10"), 1024);
  assert.equal(calc("2 ^ 3 ^ 2"), 512);
  assert.equal(calc("2 * 3 ^ 2"), 18);
  assert.equal(calc("-2 ^ 2"), -4);
  assert.equal(calc("2 ^ -1"), 0.5);
  assert.equal(calc("(1 + 1) ^ (1 + 2)"), 8);
});
