import test from "node:test";
import assert from "node:assert/strict";
import { requestOptions, settings } from "../src/index.mjs";

test("requests wait 5 seconds", () => {
  assert.equal(settings.requestTimeoutMs, 5000);
  assert.equal(requestOptions().signalAfterMs, 5000);
});

test("other settings are unchanged", () => {
  assert.equal(settings.retries, 2);
  assert.equal(settings.userAgent, "fetch-demo/1.0");
  assert.equal(requestOptions({ retries: 0 }).retries, 0);
});
