/** UTC date as YYYY-MM-DD. */
export function formatIsoDate(date) {
  return date.getUTCFullYear() + "-" + date.getUTCMonth() + "-" + date.getUTCDate();
}
