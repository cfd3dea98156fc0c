import test from "node:test";
import assert from "node:assert/strict";
import * as api from "../src/index.mjs";
import * as store from "../src/user-store.mjs";

test("loadUser is exported from the store and the index", () => {
  assert.deepEqual(api.loadUser(1), { id: 1, name: "Ada" });
  assert.equal(store.loadUser, api.loadUser);
  assert.throws(() => api.loadUser(99), /no user 99/);
});

test("fetchUser is gone", () => {
  assert.equal(api.fetchUser, undefined);
  assert.equal(store.fetchUser, undefined);
});

test("greeter still works", () => {
  assert.equal(api.greetUser(2), "Hello, Linus!");
});
