/**
 * Greedy word wrap to lines of at most width characters.
 */
export function wrap(text, width) {
  throw new Error("not implemented");
}
