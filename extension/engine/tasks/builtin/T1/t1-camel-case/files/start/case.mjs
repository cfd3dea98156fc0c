/**
 * kebab-case, snake_case or spaced words to camelCase.
 */
export function toCamelCase(text) {
  throw new Error("not implemented");
}
