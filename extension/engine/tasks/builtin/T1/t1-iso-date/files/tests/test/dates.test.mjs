import test from "node:test";
import assert from "node:assert/strict";
import { addDays, formatIsoDate } from "../dates.mjs";

test("formats with padding and 1-based months", () => {
  assert.equal(formatIsoDate(new Date(Date.UTC(2024, 0, 5))), "2024-01-05");
  assert.equal(formatIsoDate(new Date(Date.UTC(1999, 11, 31, 23, 59))), "1999-12-31");
});

test("addDays crosses month and year ends", () => {
  const start = new Date(Date.UTC(2023, 11, 30));
  assert.equal(formatIsoDate(addDays(start, 3)), "2024-01-02");
  assert.equal(formatIsoDate(addDays(start, -30)), "2023-11-30");
  assert.equal(formatIsoDate(start), "2023-12-30");
});

test("leap day", () => {
  assert.equal(formatIsoDate(addDays(new Date(Date.UTC(2024, 1, 28)), 1)), "2024-02-29");
});
