// @ts-check
/** @type {import("./types.mjs").ShapeKind} */
export const circle = {
  validate(spec) {
    if (typeof spec.r !== "number" || !(spec.r > 0)) throw new Error("invalid circle: r must be a positive number");
  },
  area: ({ r }) => Math.PI * r * r,
  perimeter: ({ r }) => 2 * Math.PI * r,
};
