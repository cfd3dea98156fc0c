import { table } from "./format.mjs";

export function buildReport(store) {
  const rows = [["SKU", "NAME", "QTY"], ...store.all().map((item) => [item.sku, item.name, item.qty])];
  return "Inventory\n" + table(rows);
}
