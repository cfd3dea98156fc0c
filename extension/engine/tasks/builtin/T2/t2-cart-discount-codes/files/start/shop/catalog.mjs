export const PRICES = { apple: 120, bread: 350, cheese: 1290, wine: 2400 };

export function priceOf(item) {
  if (!(item in PRICES)) throw new Error("unknown item " + item);
  return PRICES[item];
}
