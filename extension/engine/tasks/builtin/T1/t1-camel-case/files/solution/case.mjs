/**
 * kebab-case, snake_case or spaced words to camelCase.
 */
export function toCamelCase(text) {
  const words = text.split(/[-_\s]+/).filter(Boolean).map((w) => w.toLowerCase());
  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
}
