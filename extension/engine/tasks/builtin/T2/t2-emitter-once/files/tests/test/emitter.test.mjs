import test from "node:test";
import assert from "node:assert/strict";
import { Emitter } from "../lib/emitter.mjs";
import { createStore } from "../lib/store.mjs";

test("once fires a single time", () => {
  const e = new Emitter();
  const seen = [];
  e.once("x", (v) => seen.push(v));
  e.emit("x", 1);
  e.emit("x", 2);
  assert.deepEqual(seen, [1]);
  assert.equal(e.listenerCount("x"), 0);
});

test("once can be cancelled", () => {
  const e = new Emitter();
  let called = false;
  const off = e.once("x", () => { called = true; });
  off();
  e.emit("x");
  assert.equal(called, false);
});

test("removing listeners during emit does not skip others", () => {
  const e = new Emitter();
  const seen = [];
  e.once("x", () => seen.push("a"));
  e.on("x", () => seen.push("b"));
  e.emit("x");
  assert.deepEqual(seen, ["a", "b"]);
});

test("store.nextChange resolves with the next state", async () => {
  const store = createStore(0);
  const next = store.nextChange();
  store.set(5);
  store.set(6);
  assert.equal(await next, 5);
  assert.equal(store.listenerCount(), 0);
});
