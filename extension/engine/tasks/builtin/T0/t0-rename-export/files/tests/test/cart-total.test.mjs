import test from "node:test";
import assert from "node:assert/strict";
import * as cart from "../cart-total.mjs";

test("computeTotal is exported and works", () => {
  assert.equal(typeof cart.computeTotal, "function");
  assert.equal(cart.computeTotal([]), 0);
  assert.equal(cart.computeTotal([{ priceCents: 250, quantity: 2 }, { priceCents: 99, quantity: 1 }]), 599);
});

test("calcTotal is gone", () => {
  assert.equal(cart.calcTotal, undefined);
});
