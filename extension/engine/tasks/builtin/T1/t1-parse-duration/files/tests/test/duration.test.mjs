import test from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../duration.mjs";

test("single units", () => {
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("3s"), 3000);
  assert.equal(parseDuration("2m"), 120000);
  assert.equal(parseDuration("2d"), 172800000);
});

test("combined parts", () => {
  assert.equal(parseDuration("1h30m"), 5400000);
  assert.equal(parseDuration("1h 5s"), 3605000);
  assert.equal(parseDuration("1m1s1ms"), 61001);
});

test("invalid input", () => {
  for (const bad of ["", "10", "5y", "h1", "1.5h"]) assert.throws(() => parseDuration(bad), /invalid duration/);
});
