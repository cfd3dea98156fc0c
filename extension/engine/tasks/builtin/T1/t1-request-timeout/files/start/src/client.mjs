import { settings } from "./settings.mjs";

/** The options every request is made with: the defaults, then the caller's. */
export function requestOptions(overrides = {}) {
  return { retries: settings.retries, signalAfterMs: settings.requestTimeoutMs, headers: { "user-agent": settings.userAgent }, ...overrides };
}
