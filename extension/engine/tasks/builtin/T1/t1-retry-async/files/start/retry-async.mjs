const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls fn until it resolves, with exponential backoff between attempts.
 */
export async function retry(fn, { attempts = 3, delayMs = 0, sleep = realSleep } = {}) {
  throw new Error("not implemented");
}
