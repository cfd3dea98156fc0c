import test from "node:test";
import assert from "node:assert/strict";
import { createCart } from "../shop/cart.mjs";
import { DISCOUNTS } from "../shop/discounts.mjs";

function cartWith(items) {
  const cart = createCart();
  for (const [item, quantity] of Object.entries(items)) cart.add(item, quantity);
  return cart;
}

test("no code", () => {
  assert.deepEqual(cartWith({ apple: 2 }).total(), { subtotal: 240, discount: 0, shipping: 499, total: 739 });
});

test("SAVE10 rounds down", () => {
  const cart = cartWith({ cheese: 1, apple: 1 });
  cart.applyCode("save10");
  assert.deepEqual(cart.total(), { subtotal: 1410, discount: 141, shipping: 499, total: 1768 });
  const odd = cartWith({ bread: 1 });
  odd.applyCode("SAVE10");
  assert.equal(odd.total().discount, 35);
});

test("FIVEOFF needs 2000", () => {
  const small = cartWith({ cheese: 1 });
  small.applyCode("FIVEOFF");
  assert.equal(small.total().discount, 0);
  const big = cartWith({ wine: 1 });
  big.applyCode("FiveOff");
  assert.deepEqual(big.total(), { subtotal: 2400, discount: 500, shipping: 499, total: 2399 });
});

test("FREESHIP and free shipping threshold", () => {
  const cart = cartWith({ apple: 1 });
  cart.applyCode("FREESHIP");
  assert.deepEqual(cart.total(), { subtotal: 120, discount: 0, shipping: 0, total: 120 });
  const rich = cartWith({ wine: 2, bread: 1 });
  rich.applyCode("SAVE10");
  assert.deepEqual(rich.total(), { subtotal: 5150, discount: 515, shipping: 0, total: 4635 });
});

test("unknown codes and replacement", () => {
  const cart = cartWith({ wine: 1 });
  assert.throws(() => cart.applyCode("BOGUS"), /unknown code/);
  cart.applyCode("SAVE10");
  cart.applyCode("FREESHIP");
  assert.deepEqual(cart.total(), { subtotal: 2400, discount: 0, shipping: 0, total: 2400 });
  assert.deepEqual(Object.keys(DISCOUNTS).sort(), ["FIVEOFF", "FREESHIP", "SAVE10"]);
});
