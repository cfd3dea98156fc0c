/**
 * Parses "?a=1&b=x+y" into { a: "1", b: "x y" }.
 */
export function parseQuery(query) {
  throw new Error("not implemented");
}
