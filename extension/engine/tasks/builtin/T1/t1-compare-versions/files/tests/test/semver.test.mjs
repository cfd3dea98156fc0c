import test from "node:test";
import assert from "node:assert/strict";
import { compareVersions, sortVersions } from "../semver.mjs";

test("numeric parts", () => {
  assert.equal(compareVersions("1.10.0", "1.9.0"), 1);
  assert.equal(compareVersions("2.0.0", "10.0.0"), -1);
  assert.equal(compareVersions("1.2.3", "1.2.3"), 0);
});

test("missing parts are zero", () => {
  assert.equal(compareVersions("1.2", "1.2.0"), 0);
  assert.equal(compareVersions("1", "1.0.1"), -1);
});

test("pre-releases", () => {
  assert.equal(compareVersions("1.0.0-beta", "1.0.0"), -1);
  assert.equal(compareVersions("1.0.0", "1.0.0-rc.1"), 1);
  assert.equal(compareVersions("1.0.0-alpha", "1.0.0-beta"), -1);
  assert.equal(compareVersions("1.0.1-alpha", "1.0.0"), 1);
});

test("sortVersions", () => {
  assert.deepEqual(sortVersions(["1.10.0", "1.2.0", "1.9.9", "1.2.0-rc", "0.9"]), ["0.9", "1.2.0-rc", "1.2.0", "1.9.9", "1.10.0"]);
});
