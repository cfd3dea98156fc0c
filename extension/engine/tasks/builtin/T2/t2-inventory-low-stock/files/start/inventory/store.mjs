export function createStore(items) {
  const bySku = new Map(items.map((item) => [item.sku, { ...item }]));
  return {
    all: () => [...bySku.values()].sort((a, b) => (a.sku < b.sku ? -1 : 1)),
    adjust(sku, delta) {
      const item = bySku.get(sku);
      if (!item) throw new Error("unknown sku " + sku);
      item.qty += delta;
    },
  };
}
