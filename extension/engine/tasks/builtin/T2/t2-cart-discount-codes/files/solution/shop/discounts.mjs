export const DISCOUNTS = {
  SAVE10: (subtotal, shipping) => ({ discount: Math.floor(subtotal / 10), shipping }),
  FIVEOFF: (subtotal, shipping) => ({ discount: subtotal >= 2000 ? 500 : 0, shipping }),
  FREESHIP: () => ({ discount: 0, shipping: 0 }),
};
