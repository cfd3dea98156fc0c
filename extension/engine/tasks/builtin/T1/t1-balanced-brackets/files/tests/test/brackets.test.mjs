import test from "node:test";
import assert from "node:assert/strict";
import { isBalanced } from "../brackets.mjs";

test("balanced", () => {
  for (const text of ["", "()", "([]{})", "f(a[1], {b: 2})", "((()))"]) assert.equal(isBalanced(text), true, text);
});

test("unbalanced", () => {
  for (const text of ["(", ")", "(]", "([)]", "{{}", "}{"]) assert.equal(isBalanced(text), false, text);
});

test("strings are ignored", () => {
  assert.equal(isBalanced('log(")")'), true);
  assert.equal(isBalanced('"((("'), true);
  assert.equal(isBalanced('x(")"'), false);
});
