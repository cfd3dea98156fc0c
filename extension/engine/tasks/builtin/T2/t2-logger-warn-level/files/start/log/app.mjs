const REQUIRED = ["name"];
const OPTIONAL = { port: 8080, region: "eu" };

export function loadSettings(input, logger) {
  const settings = {};
  for (const key of REQUIRED) {
    if (input[key] === undefined) logger.error("missing required setting " + key);
    else settings[key] = input[key];
  }
  for (const [key, fallback] of Object.entries(OPTIONAL)) {
    if (input[key] === undefined) {
      logger.error("setting " + key + " not set, using " + fallback);
      settings[key] = fallback;
    } else settings[key] = input[key];
  }
  return settings;
}
