// How names that agent-written code chose (file paths) are shown anywhere in the UI: control
// characters, direction marks and the replacement glyph escaped, and the name marked, so a name cannot
// pass for another. Pure; shared by the extension and the webview.

/** Control characters and invisible marks shown escaped, so a name cannot pretend to be another. */
export function displayPath(p: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return p.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** displayPath, plus a visible mark when anything had to be escaped. */
export function markedPath(p: string): string {
  const shown = displayPath(p);
  return shown === p ? p : `${shown} ⚠ unusual characters`;
}
