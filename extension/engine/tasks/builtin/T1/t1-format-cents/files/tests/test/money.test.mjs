import test from "node:test";
import assert from "node:assert/strict";
import { formatCents } from "../money.mjs";

test("pads cents", () => {
  assert.equal(formatCents(5), "$0.05");
  assert.equal(formatCents(100), "$1.00");
  assert.equal(formatCents(1999), "$19.99");
});

test("thousands separators", () => {
  assert.equal(formatCents(123456), "$1,234.56");
  assert.equal(formatCents(100000000), "$1,000,000.00");
});

test("negative amounts", () => {
  assert.equal(formatCents(-250), "-$2.50");
  assert.equal(formatCents(-5), "-$0.05");
  assert.equal(formatCents(0), "$0.00");
});
