// Text from the repo (ids, task names, paths, diagnosis) reaches the webview DOM only as text: the
// details renderer runs against a minimal DOM whose HTML-parsing entry points throw, and no source
// file under webview/ uses an HTML sink. (The browser test, test/e2e/graphBench.mjs, checks the same
// payload in real Chromium under the production CSP.)
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphNodeDetails } from "../../extension/protocol/webview";
import { renderDetails } from "../../webview/view/detailsPanel";

const XSS = "<img src=x onerror=alert(1)>";

class FakeNode {
  readonly childNodes: FakeNode[] = [];
  readonly attributes = new Map<string, string>();
  private text = "";
  constructor(readonly nodeName: string) {}
  appendChild(child: FakeNode): FakeNode {
    this.childNodes.push(child);
    return child;
  }
  append(...children: FakeNode[]): void {
    for (const c of children) this.appendChild(c);
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  addEventListener(): void {}
  get textContent(): string {
    return this.nodeName === "#text" ? this.text : this.childNodes.map((c) => c.textContent).join("");
  }
  set textContent(value: string) {
    this.childNodes.length = 0;
    if (this.nodeName === "#text") this.text = value;
    else this.childNodes.push(Object.assign(new FakeNode("#text"), { text: value }));
  }
  set innerHTML(_: string) {
    throw new Error("innerHTML used");
  }
  set outerHTML(_: string) {
    throw new Error("outerHTML used");
  }
  insertAdjacentHTML(): void {
    throw new Error("insertAdjacentHTML used");
  }
  all(): FakeNode[] {
    return [this, ...this.childNodes.flatMap((c) => c.all())];
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeNode(tag.toUpperCase()),
  createElementNS: (_ns: string, tag: string) => new FakeNode(tag),
  createTextNode: (text: string) => Object.assign(new FakeNode("#text"), { textContent: text }),
};

describe("details render repo text as text", () => {
  const g = globalThis as { document?: unknown };
  const saved = g.document;
  beforeAll(() => (g.document = fakeDocument));
  afterAll(() => (g.document = saved));

  it("an id, task, path and diagnosis containing markup end up as text nodes", () => {
    const details: GraphNodeDetails = {
      node: { id: XSS, parentId: `p${XSS}`, status: "evaluated", score: 0.5, passed: 1, evaluated: 2, active: false, origin: XSS, targetTask: XSS },
      tasks: [{ taskId: XSS, passed: 1, evaluated: 2 }],
      diff: { against: XSS, added: 1, removed: 0, files: [{ path: `src/${XSS}.ts`, added: 1, removed: 0 }] },
      tokens: { evaluation: 1, creation: 2 },
      diagnosis: `${XSS}\n<script>alert(2)</script>`,
      problemStatement: null,
    };
    const labels: string[] = [];
    const button = (label: string) => {
      labels.push(label);
      return fakeDocument.createElement("vscode-button") as unknown as HTMLElement;
    };
    const root = renderDetails(details, { accept() {}, revert() {}, showDiff() {} }, button) as unknown as FakeNode;
    const nodes = root.all();
    expect(nodes.some((n) => n.nodeName === "IMG" || n.nodeName === "SCRIPT")).toBe(false);
    const texts = nodes.filter((n) => n.nodeName === "#text").map((n) => n.textContent);
    expect(texts).toContain(XSS);
    expect(texts).toContain(`${XSS}\n<script>alert(2)</script>`);
    expect(texts).toContain(`src/${XSS}.ts`);
    expect(root.getAttribute("aria-label")).toBe(`Version ${XSS}`);
    expect(labels).toEqual(["Accept", "Revert", "Show Diff"]);
  });

  it("an invalid version's details say why (the gate stage and reason), as text", () => {
    const details: GraphNodeDetails = {
      node: { id: "n4", parentId: "n0", status: "invalid", statusReason: `gate (unit-tests): 2 of 9 tests failed ${XSS}\nmore output`, score: null, passed: 0, evaluated: 0, active: false, origin: "self-edit", targetTask: "t0-x" },
      tasks: [], diff: null, tokens: { evaluation: 0, creation: 5 }, diagnosis: null, problemStatement: null,
    };
    const root = renderDetails(details, { accept() {}, revert() {}, showDiff() {} }, () => fakeDocument.createElement("vscode-button") as unknown as HTMLElement) as unknown as FakeNode;
    const texts = root.all().filter((n) => n.nodeName === "#text").map((n) => n.textContent);
    expect(texts).toContain(`invalid: gate (unit-tests): 2 of 9 tests failed ${XSS}`);
  });

  it("a file name with a direction mark or control character is shown escaped and marked", () => {
    const details: GraphNodeDetails = {
      node: { id: "n5", parentId: "n0", status: "evaluated", score: 1, passed: 1, evaluated: 1, active: false, origin: "self-edit", targetTask: null },
      tasks: [], diff: { against: "n0", added: 1, removed: 0, files: [{ path: "src/evil\u202egnp.ts", added: 1, removed: 0 }, { path: "src/bell\u0007.ts", added: 0, removed: 1 }] },
      tokens: { evaluation: 0, creation: 0 }, diagnosis: null, problemStatement: null,
    };
    const root = renderDetails(details, { accept() {}, revert() {}, showDiff() {} }, () => fakeDocument.createElement("vscode-button") as unknown as HTMLElement) as unknown as FakeNode;
    const texts = root.all().filter((n) => n.nodeName === "#text").map((n) => n.textContent);
    expect(texts).toContain("src/evil\\u{202e}gnp.ts ⚠ unusual characters");
    expect(texts).toContain("src/bell\\u{7}.ts ⚠ unusual characters");
    expect(texts.some((t) => (t ?? "").includes("\u202e") || (t ?? "").includes("\u0007"))).toBe(false);
  });
});

describe("no HTML sinks in the webview sources", () => {
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
  it("webview/** never uses innerHTML, outerHTML, insertAdjacentHTML, document.write or eval", () => {
    const sources = files("webview");
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const code = fs.readFileSync(file, "utf8");
      expect(code, file).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
    }
  });
});
