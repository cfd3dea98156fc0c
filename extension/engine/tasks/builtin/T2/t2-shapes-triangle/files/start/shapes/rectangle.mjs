// @ts-check
/** @type {import("./types.mjs").ShapeKind} */
export const rectangle = {
  validate(spec) {
    for (const side of ["w", "h"]) {
      const value = spec[side];
      if (typeof value !== "number" || !(value > 0)) throw new Error("invalid rectangle: " + side + " must be a positive number");
    }
  },
  area: ({ w, h }) => w * h,
  perimeter: ({ w, h }) => 2 * (w + h),
};
