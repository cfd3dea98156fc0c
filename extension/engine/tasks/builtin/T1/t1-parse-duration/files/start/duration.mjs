/**
 * Parses "1h30m"-style durations into milliseconds.
 */
export function parseDuration(text) {
  throw new Error("not implemented");
}
