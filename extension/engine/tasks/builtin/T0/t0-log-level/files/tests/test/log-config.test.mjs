import test from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_LEVEL, resolveLogLevel } from "../log-config.mjs";

test("default is info", () => {
  assert.equal(DEFAULT_LEVEL, "info");
  assert.equal(resolveLogLevel(), "info");
});

test("explicit levels are kept and checked", () => {
  assert.equal(resolveLogLevel("debug"), "debug");
  assert.throws(() => resolveLogLevel("loud"), /unknown log level/);
});
