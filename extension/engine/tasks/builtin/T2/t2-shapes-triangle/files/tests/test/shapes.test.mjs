import test from "node:test";
import assert from "node:assert/strict";
import { measure, SHAPES } from "../shapes/registry.mjs";

const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-9, a + " != " + b);

test("triangle is registered and measured", () => {
  assert.ok(SHAPES.triangle);
  const m = measure({ kind: "triangle", a: 3, b: 4, c: 5 });
  close(m.area, 6);
  close(m.perimeter, 12);
  close(measure({ kind: "triangle", a: 2, b: 2, c: 2 }).area, Math.sqrt(3));
});

test("invalid triangles", () => {
  for (const bad of [{ a: 1, b: 2, c: 3 }, { a: 1, b: 1, c: 5 }, { a: 0, b: 1, c: 1 }, { a: -3, b: 4, c: 5 }, { a: "3", b: 4, c: 5 }, { a: 3, b: 4 }]) {
    assert.throws(() => measure({ kind: "triangle", ...bad }), /invalid triangle/, JSON.stringify(bad));
  }
});

test("other shapes unchanged", () => {
  close(measure({ kind: "rectangle", w: 2, h: 3 }).area, 6);
  close(measure({ kind: "circle", r: 1 }).perimeter, 2 * Math.PI);
  assert.throws(() => measure({ kind: "hexagon" }), /unknown shape/);
});
