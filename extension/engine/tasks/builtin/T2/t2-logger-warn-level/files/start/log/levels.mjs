export const LEVELS = ["debug", "info", "error"];

export function parseLevel(text) {
  const level = String(text).toLowerCase();
  if (!LEVELS.includes(level)) throw new Error("unknown level " + text);
  return level;
}

/** True when a message at messageLevel passes a logger set to minLevel. */
export function shouldLog(messageLevel, minLevel) {
  return LEVELS.indexOf(messageLevel) >= LEVELS.indexOf(minLevel);
}
