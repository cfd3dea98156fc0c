import test from "node:test";
import assert from "node:assert/strict";
import { topWords } from "../top-words.mjs";

test("counts case-insensitively", () => {
  assert.deepEqual(topWords("The cat and the hat. THE end!", 2), [["the", 3], ["and", 1]]);
});

test("ties are alphabetical", () => {
  assert.deepEqual(topWords("b a c b a c d", 3), [["a", 2], ["b", 2], ["c", 2]]);
});

test("apostrophes stay inside words", () => {
  assert.deepEqual(topWords("don't stop, don't", 1), [["don't", 2]]);
});

test("k larger than the vocabulary and empty text", () => {
  assert.deepEqual(topWords("one", 5), [["one", 1]]);
  assert.deepEqual(topWords("", 3), []);
});
