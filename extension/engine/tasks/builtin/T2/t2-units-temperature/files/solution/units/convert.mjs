import { unit } from "./units.mjs";

export function convert(value, from, to) {
  const a = unit(from);
  const b = unit(to);
  if (a.dimension !== b.dimension) throw new Error("cannot convert " + a.dimension + " to " + b.dimension);
  const base = value * a.factor + (a.offset ?? 0);
  return (base - (b.offset ?? 0)) / b.factor;
}
