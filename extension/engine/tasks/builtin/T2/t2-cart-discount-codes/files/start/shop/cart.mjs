import { priceOf } from "./catalog.mjs";

export const SHIPPING_CENTS = 499;
export const FREE_SHIPPING_FROM = 5000;

export function createCart() {
  const lines = new Map();
  return {
    add(item, quantity = 1) {
      priceOf(item);
      lines.set(item, (lines.get(item) ?? 0) + quantity);
    },
    total() {
      let subtotal = 0;
      for (const [item, quantity] of lines) subtotal += priceOf(item) * quantity;
      const shipping = subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING_CENTS;
      return { subtotal, shipping, total: subtotal + shipping };
    },
  };
}
