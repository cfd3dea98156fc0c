/**
 * The k most frequent words as [word, count] pairs.
 */
export function topWords(text, k) {
  throw new Error("not implemented");
}
