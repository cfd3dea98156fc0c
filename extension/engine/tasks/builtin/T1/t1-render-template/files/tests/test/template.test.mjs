import test from "node:test";
import assert from "node:assert/strict";
import { render } from "../template.mjs";

test("substitutes values", () => {
  assert.equal(render("Hi {{name}}!", { name: "Ann" }), "Hi Ann!");
  assert.equal(render("{{ a }}+{{ b }}={{c}}", { a: 1, b: 2, c: 3 }), "1+2=3");
});

test("dotted paths and missing values", () => {
  assert.equal(render("{{ user.email }}", { user: { email: "a@b.c" } }), "a@b.c");
  assert.equal(render("[{{ nope }}][{{ user.none.deeper }}][{{ z }}]", { user: {}, z: null }), "[][][]");
  assert.equal(render("{{ n }}", { n: 0 }), "0");
});

test("escaping", () => {
  assert.equal(render("{{ x }}", { x: "<b>\"Tom\" & 'Jerry'</b>" }), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
  assert.equal(render("{{{ x }}}", { x: "<b>" }), "<b>");
});

test("plain text is untouched", () => {
  assert.equal(render("no tags { here }", {}), "no tags { here }");
});
