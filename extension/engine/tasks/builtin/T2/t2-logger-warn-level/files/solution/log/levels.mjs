export const LEVELS = ["debug", "info", "warn", "error"];

export function parseLevel(text) {
  let level = String(text).toLowerCase();
  if (level === "warning") level = "warn";
  if (!LEVELS.includes(level)) throw new Error("unknown level " + text);
  return level;
}

/** True when a message at messageLevel passes a logger set to minLevel. */
export function shouldLog(messageLevel, minLevel) {
  return LEVELS.indexOf(messageLevel) >= LEVELS.indexOf(minLevel);
}
