/**
 * Flattens nested arrays up to depth levels (without Array.prototype.flat).
 */
export function flatten(array, depth = Infinity) {
  throw new Error("not implemented");
}
