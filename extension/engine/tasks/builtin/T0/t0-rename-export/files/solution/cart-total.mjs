/** Sum of price * quantity over the cart lines, in cents. */
export function computeTotal(lines) {
  let total = 0;
  for (const line of lines) total += line.priceCents * line.quantity;
  return total;
}
