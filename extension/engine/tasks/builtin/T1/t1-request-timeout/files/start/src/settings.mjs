// Defaults for the HTTP client.
export const settings = {
  retries: 2,
  requestTimeoutMs: 1000,
  userAgent: "fetch-demo/1.0",
};
