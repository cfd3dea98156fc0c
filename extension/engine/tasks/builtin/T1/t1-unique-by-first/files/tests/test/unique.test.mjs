import test from "node:test";
import assert from "node:assert/strict";
import { uniqueBy } from "../unique.mjs";

test("keeps the first item per key, in order", () => {
  const rows = [
    { id: 1, v: "a" },
    { id: 2, v: "b" },
    { id: 1, v: "c" },
    { id: 3, v: "d" },
    { id: 2, v: "e" },
  ];
  assert.deepEqual(uniqueBy(rows, (r) => r.id).map((r) => r.v), ["a", "b", "d"]);
});

test("case-insensitive keys", () => {
  assert.deepEqual(uniqueBy(["B", "a", "b", "A"], (s) => s.toLowerCase()), ["B", "a"]);
});
