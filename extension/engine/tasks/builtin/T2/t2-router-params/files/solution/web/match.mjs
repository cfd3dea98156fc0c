const segments = (path) => path.split("/").filter(Boolean);

/** Returns the params when path matches pattern, otherwise null. */
export function matchPath(pattern, path) {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
