const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses "1h30m"-style durations into milliseconds.
 */
export function parseDuration(text) {
  const compact = text.replace(/\s+/g, "");
  if (!/^(\d+(ms|s|m|h|d))+$/.test(compact)) throw new Error("invalid duration: " + JSON.stringify(text));
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(amount) * unitMs[unit];
  return total;
}
