import test from "node:test";
import assert from "node:assert/strict";
import { buildReport } from "../inventory/report.mjs";
import { createStore } from "../inventory/store.mjs";

const items = () => [
  { sku: "B-2", name: "Bolt", qty: 3 },
  { sku: "A-1", name: "Anchor", qty: 12 },
  { sku: "C-3", name: "Clamp", qty: 1 },
  { sku: "D-4", name: "Dowel", qty: 3 },
];

test("lowStock sorts by quantity then sku", () => {
  assert.deepEqual(createStore(items()).lowStock(5).map((i) => i.sku), ["C-3", "B-2", "D-4"]);
  assert.deepEqual(createStore(items()).lowStock(1), []);
});

test("report with the default threshold", () => {
  const expected = [
    "Inventory",
    "SKU  NAME    QTY",
    "A-1  Anchor  12",
    "B-2  Bolt    3",
    "C-3  Clamp   1",
    "D-4  Dowel   3",
    "",
    "Low stock (< 5):",
    "SKU  QTY",
    "C-3  1",
    "B-2  3",
    "D-4  3",
  ].join("\n");
  assert.equal(buildReport(createStore(items())), expected);
});

test("custom threshold and none", () => {
  assert.match(buildReport(createStore(items()), { lowStockThreshold: 2 }), /Low stock \(< 2\):\nSKU  QTY\nC-3  1$/);
  assert.match(buildReport(createStore(items()), { lowStockThreshold: 1 }), /\n\nLow stock \(< 1\): none$/);
});

test("adjust is reflected", () => {
  const store = createStore(items());
  store.adjust("A-1", -10);
  assert.deepEqual(store.lowStock(5).map((i) => i.sku), ["C-3", "A-1", "B-2", "D-4"]);
});
