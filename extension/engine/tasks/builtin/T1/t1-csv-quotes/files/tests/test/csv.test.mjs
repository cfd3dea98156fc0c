import test from "node:test";
import assert from "node:assert/strict";
import { parseCsvLine } from "../csv.mjs";

test("plain fields", () => {
  assert.deepEqual(parseCsvLine("a,b,c"), ["a", "b", "c"]);
  assert.deepEqual(parseCsvLine("a,,c"), ["a", "", "c"]);
  assert.deepEqual(parseCsvLine(""), [""]);
  assert.deepEqual(parseCsvLine(" x , y"), [" x ", " y"]);
});

test("quoted fields keep commas", () => {
  assert.deepEqual(parseCsvLine('1,"Smith, John",3'), ["1", "Smith, John", "3"]);
});

test("doubled quotes", () => {
  assert.deepEqual(parseCsvLine('"say ""hi""",x'), ['say "hi"', "x"]);
  assert.deepEqual(parseCsvLine('"",""""'), ["", '"']);
});
