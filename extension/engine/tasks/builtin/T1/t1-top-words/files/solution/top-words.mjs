/**
 * The k most frequent words as [word, count] pairs.
 */
export function topWords(text, k) {
  const counts = new Map();
  for (const word of text.toLowerCase().match(/[a-z0-9']+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, k);
}
