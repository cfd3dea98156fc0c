/** Returns {} when path matches pattern exactly, otherwise null. */
export function matchPath(pattern, path) {
  return pattern === path ? {} : null;
}
