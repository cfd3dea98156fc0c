import { unit } from "./units.mjs";

export function convert(value, from, to) {
  const a = unit(from);
  const b = unit(to);
  if (a.dimension !== b.dimension) throw new Error("cannot convert " + a.dimension + " to " + b.dimension);
  return (value * a.factor) / b.factor;
}
