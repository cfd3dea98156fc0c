import { matchPath } from "./match.mjs";

export function createRouter() {
  const routes = [];
  return {
    route(method, pattern, handler) {
      routes.push({ method, pattern, handler });
    },
    handle(method, url) {
      const q = url.indexOf("?");
      const path = q === -1 ? url : url.slice(0, q);
      const query = Object.fromEntries(new URLSearchParams(q === -1 ? "" : url.slice(q + 1)));
      let pathMatched = false;
      for (const r of routes) {
        const params = matchPath(r.pattern, path);
        if (!params) continue;
        pathMatched = true;
        if (r.method === method) return r.handler({ params, query });
      }
      return { status: pathMatched ? 405 : 404 };
    },
  };
}
