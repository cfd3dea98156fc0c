/**
 * Turns a title into a URL slug.
 */
export function slugify(text) {
  throw new Error("not implemented");
}
