function parse(version) {
  const dash = version.indexOf("-");
  const core = dash === -1 ? version : version.slice(0, dash);
  return { parts: core.split(".").map(Number), pre: dash === -1 ? undefined : version.slice(dash + 1) };
}

/** -1 when a < b, 0 when equal, 1 when a > b. */
export function compareVersions(a, b) {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.parts.length, pb.parts.length); i++) {
    const diff = (pa.parts[i] ?? 0) - (pb.parts[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === undefined) return 1;
  if (pb.pre === undefined) return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

/** A sorted copy, lowest first. */
export function sortVersions(versions) {
  return [...versions].sort(compareVersions);
}
