// @ts-check

/**
 * @template T, K
 * @param {readonly T[]} items
 * @param {(item: T) => K} keyOf
 * @returns {Map<K, T[]>}
 */
export function groupBy(items, keyOf) {
  /** @type {Map<K, T[]>} */
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * @template T, K
 * @param {readonly T[]} items
 * @param {(item: T) => K} keyOf
 * @returns {Map<K, number>}
 */
export function countBy(items, keyOf) {
  return new Map([...groupBy(items, keyOf)].map(([key, group]) => [key, group.length]));
}
