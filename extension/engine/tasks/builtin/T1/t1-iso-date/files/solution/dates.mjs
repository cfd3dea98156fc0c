const pad = (n) => String(n).padStart(2, "0");

/** UTC date as YYYY-MM-DD. */
export function formatIsoDate(date) {
  return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate());
}

/** A new Date days later (UTC days of 24 hours). */
export function addDays(date, days) {
  return new Date(date.getTime() + days * 86_400_000);
}
