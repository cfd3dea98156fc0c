import test from "node:test";
import assert from "node:assert/strict";
import { slugify } from "../slugify.mjs";

test("basic titles", () => {
  assert.equal(slugify("Hello World"), "hello-world");
  assert.equal(slugify("  Héllo, World! 2024 "), "hello-world-2024");
});

test("collapses separators and trims dashes", () => {
  assert.equal(slugify("a -- b __ c"), "a-b-c");
  assert.equal(slugify("--Already-Slugged--"), "already-slugged");
});

test("accents", () => {
  assert.equal(slugify("Crème Brûlée"), "creme-brulee");
});

test("nothing usable gives an empty slug", () => {
  assert.equal(slugify("!!!"), "");
});
