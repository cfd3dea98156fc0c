import { priceOf } from "./catalog.mjs";
import { DISCOUNTS } from "./discounts.mjs";

export const SHIPPING_CENTS = 499;
export const FREE_SHIPPING_FROM = 5000;

export function createCart() {
  const lines = new Map();
  let code;
  return {
    add(item, quantity = 1) {
      priceOf(item);
      lines.set(item, (lines.get(item) ?? 0) + quantity);
    },
    applyCode(input) {
      const upper = String(input).toUpperCase();
      if (!(upper in DISCOUNTS)) throw new Error("unknown code " + input);
      code = upper;
    },
    total() {
      let subtotal = 0;
      for (const [item, quantity] of lines) subtotal += priceOf(item) * quantity;
      let shipping = subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING_CENTS;
      let discount = 0;
      if (code) ({ discount, shipping } = DISCOUNTS[code](subtotal, shipping));
      return { subtotal, discount, shipping, total: Math.max(0, subtotal - discount + shipping) };
    },
  };
}
