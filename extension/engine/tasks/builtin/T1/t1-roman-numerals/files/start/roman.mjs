/**
 * Writes n (1..3999) in Roman numerals.
 */
export function toRoman(n) {
  throw new Error("not implemented");
}
