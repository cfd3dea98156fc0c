export const MAX_ATTEMPTS = 5;

/** Calls fn until it returns without throwing, at most MAX_ATTEMPTS times. */
export function retrySync(fn) {
  let lastError;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      return fn(attempt);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
