// How a file name from the agent is shown (pure: no `vscode` import).

/** Control characters and invisible marks shown escaped, so a name cannot pretend to be another. */
export function displayPath(p: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return p.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

