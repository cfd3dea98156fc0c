/**
 * Structural equality for primitives, arrays, plain objects and dates.
 */
export function deepEqual(a, b) {
  throw new Error("not implemented");
}
