// Every unit maps to the base unit of its dimension: base = value * factor + offset.
export const UNITS = {
  m: { dimension: "length", factor: 1, offset: 0 },
  km: { dimension: "length", factor: 1000, offset: 0 },
  cm: { dimension: "length", factor: 0.01, offset: 0 },
  ft: { dimension: "length", factor: 0.3048, offset: 0 },
  g: { dimension: "mass", factor: 1, offset: 0 },
  kg: { dimension: "mass", factor: 1000, offset: 0 },
  lb: { dimension: "mass", factor: 453.59237, offset: 0 },
  K: { dimension: "temperature", factor: 1, offset: 0 },
  C: { dimension: "temperature", factor: 1, offset: 273.15 },
  F: { dimension: "temperature", factor: 5 / 9, offset: 273.15 - (32 * 5) / 9 },
};

export function unit(name) {
  const found = UNITS[name];
  if (!found) throw new Error("unknown unit " + name);
  return found;
}
