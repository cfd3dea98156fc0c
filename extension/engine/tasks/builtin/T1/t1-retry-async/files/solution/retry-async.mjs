const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls fn until it resolves, with exponential backoff between attempts.
 */
export async function retry(fn, { attempts = 3, delayMs = 0, sleep = realSleep } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(delayMs * 2 ** (attempt - 2));
    try {
      return await fn(attempt);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
