const decode = (s) => decodeURIComponent(s.replace(/\+/g, " "));

/**
 * Parses "?a=1&b=x+y" into { a: "1", b: "x y" }.
 */
export function parseQuery(query) {
  const out = {};
  for (const piece of query.replace(/^\?/, "").split("&")) {
    if (!piece) continue;
    const eq = piece.indexOf("=");
    const key = decode(eq === -1 ? piece : piece.slice(0, eq));
    const value = eq === -1 ? "" : decode(piece.slice(eq + 1));
    if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = value;
    else if (Array.isArray(out[key])) out[key].push(value);
    else out[key] = [out[key], value];
  }
  return out;
}
