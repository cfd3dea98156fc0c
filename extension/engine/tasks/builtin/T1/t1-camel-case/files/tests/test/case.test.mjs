import test from "node:test";
import assert from "node:assert/strict";
import { toCamelCase } from "../case.mjs";

test("separators", () => {
  assert.equal(toCamelCase("user_id"), "userId");
  assert.equal(toCamelCase("background-color"), "backgroundColor");
  assert.equal(toCamelCase("max retry count"), "maxRetryCount");
});

test("case and repeated separators", () => {
  assert.equal(toCamelCase("--Background-COLOR"), "backgroundColor");
  assert.equal(toCamelCase("a__b  c"), "aBC");
});

test("edge cases", () => {
  assert.equal(toCamelCase("x"), "x");
  assert.equal(toCamelCase(""), "");
});
