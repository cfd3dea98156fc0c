import test from "node:test";
import assert from "node:assert/strict";
import * as strings from "../strings.mjs";

test("capitalize is exported", () => {
  assert.equal(typeof strings.capitalize, "function");
  assert.equal(strings.capitalize("hELLO"), "Hello");
  assert.equal(strings.capitalize(""), "");
});

test("titleCase still works", () => {
  assert.equal(strings.titleCase("the quick fox"), "The Quick Fox");
});
