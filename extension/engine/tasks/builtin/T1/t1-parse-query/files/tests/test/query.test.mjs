import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseQuery } from "../query.mjs";

test("simple pairs", () => {
  assert.deepEqual(parseQuery("?a=1&b=two"), { a: "1", b: "two" });
  assert.deepEqual(parseQuery("a=1"), { a: "1" });
  assert.deepEqual(parseQuery(""), {});
});

test("decoding", () => {
  assert.deepEqual(parseQuery("q=hello+world&x=%26%3D"), { q: "hello world", x: "&=" });
  assert.deepEqual(parseQuery("na%20me=v"), { "na me": "v" });
});

test("repeats, bare keys and empty pieces", () => {
  assert.deepEqual(parseQuery("t=a&t=b&t=c"), { t: ["a", "b", "c"] });
  assert.deepEqual(parseQuery("flag&a=1&&b="), { flag: "", a: "1", b: "" });
});

test("no URLSearchParams", () => {
  assert.doesNotMatch(readFileSync(new URL("../query.mjs", import.meta.url), "utf8"), /URLSearchParams/);
});
