// Every unit is a factor to the base unit of its dimension.
export const UNITS = {
  m: { dimension: "length", factor: 1 },
  km: { dimension: "length", factor: 1000 },
  cm: { dimension: "length", factor: 0.01 },
  ft: { dimension: "length", factor: 0.3048 },
  g: { dimension: "mass", factor: 1 },
  kg: { dimension: "mass", factor: 1000 },
  lb: { dimension: "mass", factor: 453.59237 },
};

export function unit(name) {
  const found = UNITS[name];
  if (!found) throw new Error("unknown unit " + name);
  return found;
}
