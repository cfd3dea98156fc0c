/**
 * Splits array into arrays of `size` elements.
 */
export function chunk(array, size) {
  throw new Error("not implemented");
}
