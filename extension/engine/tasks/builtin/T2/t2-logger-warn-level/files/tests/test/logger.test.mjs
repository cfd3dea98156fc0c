import test from "node:test";
import assert from "node:assert/strict";
import { loadSettings } from "../log/app.mjs";
import { parseLevel, shouldLog } from "../log/levels.mjs";
import { createLogger } from "../log/logger.mjs";

test("levels order", () => {
  assert.equal(shouldLog("warn", "info"), true);
  assert.equal(shouldLog("warn", "error"), false);
  assert.equal(shouldLog("error", "warn"), true);
  assert.equal(shouldLog("info", "warn"), false);
});

test("parseLevel", () => {
  assert.equal(parseLevel("WARN"), "warn");
  assert.equal(parseLevel("Warning"), "warn");
  assert.equal(parseLevel("debug"), "debug");
  assert.throws(() => parseLevel("loud"), /unknown level/);
});

test("logger.warn respects the minimum level", () => {
  const lines = [];
  const logger = createLogger((line) => lines.push(line), "warn");
  logger.info("hidden");
  logger.warn("careful");
  logger.error("broken");
  assert.deepEqual(lines, ["[WARN] careful", "[ERROR] broken"]);
});

test("loadSettings warns for optional settings", () => {
  const lines = [];
  const settings = loadSettings({ port: 9000 }, createLogger((line) => lines.push(line), "debug"));
  assert.deepEqual(settings, { port: 9000, region: "eu" });
  assert.deepEqual(lines, ["[ERROR] missing required setting name", "[WARN] setting region not set, using eu"]);
});
