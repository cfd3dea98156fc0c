import { table } from "./format.mjs";

export function buildReport(store, { lowStockThreshold = 5 } = {}) {
  const rows = [["SKU", "NAME", "QTY"], ...store.all().map((item) => [item.sku, item.name, item.qty])];
  const low = store.lowStock(lowStockThreshold);
  const heading = "Low stock (< " + lowStockThreshold + "):";
  const lowPart = low.length === 0 ? heading + " none" : heading + "\n" + table([["SKU", "QTY"], ...low.map((item) => [item.sku, item.qty])]);
  return "Inventory\n" + table(rows) + "\n\n" + lowPart;
}
