import test from "node:test";
import assert from "node:assert/strict";
import { isAdult } from "../age.mjs";

test("18 and older are adults", () => {
  assert.equal(isAdult(18), true);
  assert.equal(isAdult(40), true);
});

test("younger than 18 are not", () => {
  assert.equal(isAdult(17), false);
  assert.equal(isAdult(0), false);
});
