import test from "node:test";
import assert from "node:assert/strict";
import { renderMarkdown } from "../md/blocks.mjs";

const tick = String.fromCharCode(96);
const code = (s) => tick + s + tick;

test("existing features", () => {
  assert.equal(renderMarkdown("# Title\n\nSome **bold** and *it*\ntext."), "<h1>Title</h1>\n<p>Some <strong>bold</strong> and <em>it</em> text.</p>");
  assert.equal(renderMarkdown("a < b & c"), "<p>a &lt; b &amp; c</p>");
});

test("inline code", () => {
  assert.equal(renderMarkdown("Run " + code("npm test") + " now"), "<p>Run <code>npm test</code> now</p>");
  assert.equal(renderMarkdown(code("**x** <y>") + " **z**"), "<p><code>**x** &lt;y&gt;</code> <strong>z</strong></p>");
});

test("lists", () => {
  assert.equal(renderMarkdown("- one\n- **two**\n- " + code("3")), "<ul><li>one</li><li><strong>two</strong></li><li><code>3</code></li></ul>");
  assert.equal(renderMarkdown("## List\n\n- a\n- b\n\nafter"), "<h2>List</h2>\n<ul><li>a</li><li>b</li></ul>\n<p>after</p>");
});

test("a block with some non-list lines stays a paragraph", () => {
  assert.equal(renderMarkdown("- a\nb"), "<p>- a b</p>");
});
