import test from "node:test";
import assert from "node:assert/strict";
import { wrap } from "../wrap.mjs";

test("greedy wrapping", () => {
  assert.deepEqual(wrap("the quick brown fox jumps", 10), ["the quick", "brown fox", "jumps"]);
  assert.deepEqual(wrap("a b c", 3), ["a b", "c"]);
});

test("whitespace runs", () => {
  assert.deepEqual(wrap("  hello \n\t world  ", 20), ["hello world"]);
  assert.deepEqual(wrap("   ", 5), []);
  assert.deepEqual(wrap("", 5), []);
});

test("long words are split", () => {
  assert.deepEqual(wrap("abcdefghij k", 4), ["abcd", "efgh", "ij k"]);
  assert.deepEqual(wrap("hi abcdefgh", 4), ["hi", "abcd", "efgh"]);
});

test("no line is longer than width", () => {
  const text = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod";
  for (const width of [5, 8, 13]) for (const line of wrap(text, width)) assert.ok(line.length <= width, line);
});
