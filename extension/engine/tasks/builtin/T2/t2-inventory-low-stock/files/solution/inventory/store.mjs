export function createStore(items) {
  const bySku = new Map(items.map((item) => [item.sku, { ...item }]));
  const all = () => [...bySku.values()].sort((a, b) => (a.sku < b.sku ? -1 : 1));
  return {
    all,
    adjust(sku, delta) {
      const item = bySku.get(sku);
      if (!item) throw new Error("unknown sku " + sku);
      item.qty += delta;
    },
    lowStock: (threshold) => all().filter((item) => item.qty < threshold).sort((a, b) => a.qty - b.qty || (a.sku < b.sku ? -1 : 1)),
  };
}
