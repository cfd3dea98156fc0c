export const DEFAULT_PORT = 3000;

export function serverConfig(options = {}) {
  return { host: options.host ?? "localhost", port: options.port ?? DEFAULT_PORT };
}
