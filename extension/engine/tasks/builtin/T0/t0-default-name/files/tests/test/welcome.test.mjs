import test from "node:test";
import assert from "node:assert/strict";
import { welcome } from "../welcome.mjs";

test("defaults to guest", () => {
  assert.equal(welcome(), "Welcome, guest.");
});

test("uses the given name", () => {
  assert.equal(welcome("Lin"), "Welcome, Lin.");
});
