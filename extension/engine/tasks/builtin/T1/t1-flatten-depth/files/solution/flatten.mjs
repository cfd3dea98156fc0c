/**
 * Flattens nested arrays up to depth levels (without Array.prototype.flat).
 */
export function flatten(array, depth = Infinity) {
  const out = [];
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (Array.isArray(item) && depth > 0) out.push(...flatten(item, depth - 1));
    else out.push(item);
  }
  return out;
}
