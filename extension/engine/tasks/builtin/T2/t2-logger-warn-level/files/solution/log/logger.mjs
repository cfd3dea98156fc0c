import { parseLevel, shouldLog } from "./levels.mjs";

export function createLogger(sink, minLevel = "info") {
  const min = parseLevel(minLevel);
  const write = (level, message) => {
    if (shouldLog(level, min)) sink("[" + level.toUpperCase() + "] " + message);
  };
  return {
    debug: (message) => write("debug", message),
    info: (message) => write("info", message),
    warn: (message) => write("warn", message),
    error: (message) => write("error", message),
  };
}
