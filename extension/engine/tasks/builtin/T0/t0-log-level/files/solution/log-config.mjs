export const LEVELS = ["debug", "info", "warn", "error"];
export const DEFAULT_LEVEL = "info";

export function resolveLogLevel(level) {
  if (level === undefined) return DEFAULT_LEVEL;
  if (!LEVELS.includes(level)) throw new Error("unknown log level: " + level);
  return level;
}
