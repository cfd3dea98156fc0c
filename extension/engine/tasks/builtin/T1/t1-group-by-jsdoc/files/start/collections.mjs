// @ts-check

/**
 * @template T, K
 * @param {readonly T[]} items
 * @param {(item: T) => K} keyOf
 * @returns {Map<K, T[]>}
 */
export function groupBy(items, keyOf) {
  throw new Error("not implemented");
}
