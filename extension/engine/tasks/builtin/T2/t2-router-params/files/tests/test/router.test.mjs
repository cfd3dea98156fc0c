import test from "node:test";
import assert from "node:assert/strict";
import { createRouter } from "../web/router.mjs";
import { matchPath } from "../web/match.mjs";

function app() {
  const router = createRouter();
  router.route("GET", "/", () => ({ status: 200, body: "home" }));
  router.route("GET", "/users/:id", ({ params, query }) => ({ status: 200, body: { params, query } }));
  router.route("GET", "/users/:id/posts/:post", ({ params }) => ({ status: 200, body: params }));
  return router;
}

test("exact routes and 404", () => {
  assert.deepEqual(app().handle("GET", "/"), { status: 200, body: "home" });
  assert.deepEqual(app().handle("GET", "/nope"), { status: 404 });
});

test("params and query", () => {
  assert.deepEqual(app().handle("GET", "/users/7?tab=posts&x=1"), { status: 200, body: { params: { id: "7" }, query: { tab: "posts", x: "1" } } });
  assert.deepEqual(app().handle("GET", "/users/a%20b/posts/3").body, { id: "a b", post: "3" });
  assert.deepEqual(app().handle("GET", "/users/7/").body.params, { id: "7" });
});

test("params must be non-empty and counts must match", () => {
  assert.equal(matchPath("/users/:id", "/users/"), null);
  assert.equal(matchPath("/users/:id", "/users/1/extra"), null);
  assert.deepEqual(matchPath("/a/:b", "/a/x"), { b: "x" });
});

test("405 when only the method differs", () => {
  assert.deepEqual(app().handle("POST", "/users/7"), { status: 405 });
});
