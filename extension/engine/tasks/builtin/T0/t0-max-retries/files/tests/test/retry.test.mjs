import test from "node:test";
import assert from "node:assert/strict";
import { MAX_ATTEMPTS, retrySync } from "../retry.mjs";

test("MAX_ATTEMPTS is 5", () => {
  assert.equal(MAX_ATTEMPTS, 5);
});

test("succeeds on the fifth attempt", () => {
  const result = retrySync((attempt) => {
    if (attempt < 5) throw new Error("flaky " + attempt);
    return "ok after " + attempt;
  });
  assert.equal(result, "ok after 5");
});

test("rethrows the last error after five attempts", () => {
  let calls = 0;
  assert.throws(() => retrySync((attempt) => { calls++; throw new Error("fail " + attempt); }), /fail 5/);
  assert.equal(calls, 5);
});
