// @ts-check
import { circle } from "./circle.mjs";
import { rectangle } from "./rectangle.mjs";
import { triangle } from "./triangle.mjs";

/** @typedef {import("./types.mjs").ShapeKind} ShapeKind */

/** @type {Record<string, ShapeKind>} */
export const SHAPES = { circle, rectangle, triangle };

/**
 * @param {{ kind: string } & Record<string, number | string>} spec
 * @returns {{ area: number, perimeter: number }}
 */
export function measure(spec) {
  const kind = SHAPES[spec.kind];
  if (!kind) throw new Error("unknown shape " + spec.kind);
  kind.validate(spec);
  return { area: kind.area(spec), perimeter: kind.perimeter(spec) };
}
