// @ts-check
/** @type {import("./types.mjs").ShapeKind} */
export const triangle = {
  validate(spec) {
    const sides = [spec.a, spec.b, spec.c];
    for (const side of sides) {
      if (typeof side !== "number" || !(side > 0)) throw new Error("invalid triangle: sides must be positive numbers");
    }
    const [a, b, c] = /** @type {number[]} */ (sides).sort((x, y) => x - y);
    if (a + b <= c) throw new Error("invalid triangle: sides break the triangle inequality");
  },
  area: ({ a, b, c }) => {
    const s = (a + b + c) / 2;
    return Math.sqrt(s * (s - a) * (s - b) * (s - c));
  },
  perimeter: ({ a, b, c }) => a + b + c,
};
