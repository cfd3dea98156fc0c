export function createLedger() {
  const entries = [];
  return {
    record: (entry) => entries.push(Object.freeze({ ...entry })),
    entries: () => [...entries],
  };
}
