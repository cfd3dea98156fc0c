import test from "node:test";
import assert from "node:assert/strict";
import { countBy, groupBy } from "../collections.mjs";

const people = [
  { name: "Ann", team: "red" },
  { name: "Bo", team: "blue" },
  { name: "Cy", team: "red" },
];

test("groupBy keeps first-seen key order and item order", () => {
  const groups = groupBy(people, (p) => p.team);
  assert.deepEqual([...groups.keys()], ["red", "blue"]);
  assert.deepEqual(groups.get("red").map((p) => p.name), ["Ann", "Cy"]);
  assert.deepEqual(groups.get("blue").map((p) => p.name), ["Bo"]);
});

test("non-string keys", () => {
  const groups = groupBy([1, 2, 3, 4, 5], (n) => n % 2 === 0);
  assert.deepEqual(groups.get(true), [2, 4]);
  assert.deepEqual(groups.get(false), [1, 3, 5]);
});

test("countBy", () => {
  assert.deepEqual([...countBy(people, (p) => p.team)], [["red", 2], ["blue", 1]]);
  assert.equal(countBy([], (x) => x).size, 0);
});
