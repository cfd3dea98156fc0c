import test from "node:test";
import assert from "node:assert/strict";
import * as text from "../src/text.mjs";

test("case helpers", () => {
  assert.equal(text.capitalize("hello world"), "Hello world");
  assert.equal(text.capitalize(""), "");
  assert.equal(text.titleCase("the quick fox"), "The Quick Fox");
  assert.equal(text.initials(" ada  lovelace "), "AL");
});

test("length helpers", () => {
  assert.equal(text.truncate("abcdef", 10), "abcdef");
  assert.equal(text.truncate("abcdef", 4), "abc…");
  assert.equal(text.padLeft("7", 3, "0"), "007");
  assert.equal(text.padRight("ab", 4), "ab  ");
});

test("word helpers", () => {
  assert.equal(text.countWords("  one two\tthree "), 3);
  assert.equal(text.countWords("   "), 0);
  assert.equal(text.reverseWords("a  b c"), "c b a");
  assert.equal(text.isBlank(" \n\t"), true);
  assert.equal(text.isBlank(" x "), false);
  assert.equal(text.collapseSpaces("  a \n b   c "), "a b c");
});

test("more helpers", () => {
  assert.equal(text.camelCase(" Hello big  World "), "helloBigWorld");
  assert.equal(text.kebabCase("Hello Big World"), "hello-big-world");
  assert.equal(text.repeatText("ab", 3, "-"), "ab-ab-ab");
  assert.equal(text.repeatText("x", 2), "xx");
  assert.equal(text.countOf("aaaa", "aa"), 2);
  assert.equal(text.countOf("abc", ""), 0);
});
