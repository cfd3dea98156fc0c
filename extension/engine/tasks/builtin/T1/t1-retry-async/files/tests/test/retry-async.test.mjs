import test from "node:test";
import assert from "node:assert/strict";
import { retry } from "../retry-async.mjs";

test("resolves with the first success and stops calling", async () => {
  const calls = [];
  const value = await retry(async (attempt) => {
    calls.push(attempt);
    if (attempt < 2) throw new Error("nope");
    return "done";
  });
  assert.equal(value, "done");
  assert.deepEqual(calls, [1, 2]);
});

test("backs off exponentially", async () => {
  const sleeps = [];
  await assert.rejects(
    retry(async (attempt) => { throw new Error("fail " + attempt); }, { attempts: 4, delayMs: 10, sleep: async (ms) => { sleeps.push(ms); } }),
    /fail 4/,
  );
  assert.deepEqual(sleeps, [10, 20, 40]);
});

test("default of three attempts", async () => {
  let calls = 0;
  await assert.rejects(retry(async () => { calls++; throw new Error("x"); }), /x/);
  assert.equal(calls, 3);
});
