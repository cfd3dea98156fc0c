// @ts-check
/**
 * @typedef {object} ShapeKind
 * @property {(spec: Record<string, unknown>) => void} validate throws on a bad spec
 * @property {(spec: any) => number} area
 * @property {(spec: any) => number} perimeter
 */
export {};
