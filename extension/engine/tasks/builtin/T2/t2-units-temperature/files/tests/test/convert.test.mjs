import test from "node:test";
import assert from "node:assert/strict";
import { convert } from "../units/convert.mjs";
import { UNITS } from "../units/units.mjs";

const close = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-9, actual + " != " + expected);

test("factor units still work", () => {
  close(convert(1.5, "km", "m"), 1500);
  close(convert(1, "lb", "kg"), 0.45359237);
  close(convert(30.48, "cm", "ft"), 1);
});

test("temperatures", () => {
  close(convert(0, "C", "F"), 32);
  close(convert(100, "C", "F"), 212);
  close(convert(-40, "F", "C"), -40);
  close(convert(0, "K", "C"), -273.15);
  close(convert(98.6, "F", "K"), 310.15);
  close(convert(25, "C", "C"), 25);
});

test("every unit has an offset", () => {
  for (const [name, spec] of Object.entries(UNITS)) assert.equal(typeof spec.offset, "number", name);
  assert.equal(UNITS.m.offset, 0);
});

test("errors", () => {
  assert.throws(() => convert(1, "C", "m"), /cannot convert temperature to length/);
  assert.throws(() => convert(1, "R", "K"), /unknown unit R/);
});
