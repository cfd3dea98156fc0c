import { matchPath } from "./match.mjs";

export function createRouter() {
  const routes = [];
  return {
    route(method, pattern, handler) {
      routes.push({ method, pattern, handler });
    },
    handle(method, url) {
      for (const r of routes) {
        if (r.method === method && matchPath(r.pattern, url)) return r.handler({});
      }
      return { status: 404 };
    },
  };
}
