/** The first item for each key, in input order. */
export function uniqueBy(items, keyOf) {
  const byKey = new Map();
  for (const item of items) {
    const key = keyOf(item);
    byKey.delete(key);
    byKey.set(key, item);
  }
  return [...byKey.values()];
}
