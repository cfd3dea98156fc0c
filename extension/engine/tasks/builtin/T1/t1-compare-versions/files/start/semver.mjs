/** -1 when a < b, 0 when equal, 1 when a > b. */
export function compareVersions(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sorted copy, lowest first. */
export function sortVersions(versions) {
  return [...versions].sort(compareVersions);
}
