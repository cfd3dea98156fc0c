/* global window, document, requestAnimationFrame, customElements, WheelEvent */
// The archive graph webview in a real browser (Debian chromium via playwright-core), outside VS Code:
// a static page built by the extension's own graphHtml() (production CSP, nonce) that loads the
// webview bundle, with a fake acquireVsCodeApi playing the host. Checks behaviour and CSP, then
// measures the render time of a 1,000-node archive.
//   node test/e2e/graphBench.mjs [--json] [--repetitions N] [--nodes N] [--out DIR] [--checks-only]
// (--checks-only: the behaviour and CSP checks without the benchmark; the reliability suite uses it.)
// Prints "N passed, M failed", then the BenchReport JSON ({name: "webview", measured ms, …}).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { syntheticDetails, syntheticTree, XSS } from "./graphFixtures.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.CLADE_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const RENDER_MEASURE = "clade-graph-render";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Builds the webview bundle and the page builder (graphHtml.ts) into a temp folder, as the extension build does. */
async function buildAssets(dir) {
  await esbuild.build({ entryPoints: [path.join(ROOT, "webview/main.ts")], outfile: path.join(dir, "webview.js"), bundle: true, platform: "browser", format: "iife", target: "es2022", minify: true, logLevel: "warning" });
  await esbuild.build({ entryPoints: [path.join(ROOT, "extension/vscode/graph/graphHtml.ts")], outfile: path.join(dir, "graphHtml.mjs"), bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning" });
  fs.copyFileSync(path.join(ROOT, "media/graph.css"), path.join(dir, "graph.css"));
  return import(pathToFileURL(path.join(dir, "graphHtml.mjs")).href);
}

/** The fake host: records messages, keeps state, answers requests with window.__handlers. */
function prelude(initialState) {
  return `
window.__sent = []; window.__violations = []; window.__state = ${JSON.stringify(initialState ?? null)}; window.__acquired = 0;
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI + " at " + e.sourceFile + ":" + e.lineNumber + ":" + e.columnNumber + " sample=" + JSON.stringify(e.sample)));
window.acquireVsCodeApi = () => {
  if (window.__acquired++) throw new Error("acquireVsCodeApi called twice");
  return {
    postMessage(m) {
      window.__sent.push(m);
      if (m && m.type === "request" && window.__handlers && window.__handlers[m.method]) {
        const result = window.__handlers[m.method](m.params);
        setTimeout(() => window.postMessage({ type: "response", id: m.id, ok: true, result }, "*"), 0);
      }
    },
    getState() { return window.__state; },
    setState(s) { window.__state = s; },
  };
};`;
}

function serve(dir, pages) {
  const types = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html" };
  const server = http.createServer((req, res) => {
    const name = new URL(req.url, "http://x").pathname.slice(1);
    const body = pages.get(name) ?? (fs.existsSync(path.join(dir, name)) && /^[\w.]+$/.test(name) ? fs.readFileSync(path.join(dir, name)) : null);
    if (body === null) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[path.extname(name)] ?? "text/html" }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Posts a tree like the host does and resolves after the render and the next frame; returns ms. */
async function renderOnce(page, tree) {
  return page.evaluate(async ({ tree, name }) => {
    const before = performance.getEntriesByName(name).length;
    const t0 = performance.now();
    window.postMessage({ type: "tree", tree }, "*");
    await new Promise((resolve) => {
      const check = () => (performance.getEntriesByName(name).length > before ? requestAnimationFrame(() => setTimeout(resolve, 0)) : setTimeout(check, 0));
      check();
    });
    const entries = performance.getEntriesByName(name);
    return { frameMs: performance.now() - t0, renderMs: entries[entries.length - 1].duration, nodes: document.querySelectorAll(".node").length };
  }, { tree, name: RENDER_MEASURE });
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (v) => Math.round(v * 1000) / 1000;

async function main() {
  const json = process.argv.includes("--json");
  const repetitions = Number(arg("--repetitions", "7"));
  const nodeCount = Number(arg("--nodes", "1000"));
  const outDir = path.resolve(arg("--out", path.join(ROOT, "test-output/graph")));
  if (!fs.existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CLADE_CHROMIUM.`);
  fs.mkdirSync(outDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clade-graph-"));
  const { graphHtml } = await buildAssets(dir);
  const pages = new Map();
  const server = await serve(dir, pages);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const page = (name, state) => {
    pages.set(name, graphHtml({ cspSource: origin, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/graph.css`, preludeScript: prelude(state) }));
    return `${origin}/${name}`;
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const results = [];
  const consoleCsp = [];
  const dialogs = [];
  const check = async (name, fn) => {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const assert = (condition, message) => {
    if (!condition) throw new Error(message);
  };
  let report;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await context.newPage();
    tab.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && consoleCsp.push(m.text()));
    tab.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss()));
    const hostile = syntheticTree(40, { seed: 7, hostileId: true });

    await check("the page loads under the production CSP and says ready once", async () => {
      await tab.goto(page("index.html"));
      await tab.waitForFunction(() => window.__sent.some((m) => m.type === "ready"), null, { timeout: 10_000 });
      assert((await tab.evaluate(() => window.__acquired)) === 1, "acquireVsCodeApi was not called exactly once");
      const csp = await tab.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
      assert(csp.startsWith("default-src 'none'") && /script-src 'nonce-[^']+'/.test(csp) && !csp.includes("unsafe"), `weak CSP: ${csp}`);
    });

    await check(`a ${nodeCount}-node archive renders (every node drawn, the active and the best ringed)`, async () => {
      const r = await renderOnce(tab, syntheticTree(nodeCount, { seed: 1 }));
      assert(r.nodes === nodeCount, `drew ${r.nodes} nodes`);
      assert((await tab.locator(".ring-active").count()) === 1 && (await tab.locator(".ring-best").count()) === 1, "active/best rings missing");
      assert((await tab.locator(".score-chart .points circle").count()) > 0, "score chart is empty");
      await tab.screenshot({ path: path.join(outDir, "graph-1000.png") });
    });

    await check("hostile text from the repo (id, task, path, diagnosis) renders as text, never as HTML", async () => {
      await tab.evaluate(({ details }) => {
        window.__handlers = { details: (p) => ({ ...details, node: { ...details.node, id: p.nodeId } }), accept: () => ({ active: null }), revert: () => ({ active: null }), showDiff: () => null };
      }, { details: syntheticDetails(hostile.nodes[1], `${XSS}\nline two`) });
      await renderOnce(tab, hostile);
      await tab.locator(`.node[data-id="${XSS.replace(/"/g, '\\"')}"]`).click();
      await tab.locator(".details pre.diagnosis").waitFor({ timeout: 5000 });
      const text = await tab.evaluate(() => ({ diag: document.querySelector(".details pre.diagnosis").textContent, h2: document.querySelector(".details h2").textContent, imgs: document.querySelectorAll("img").length, label: document.querySelector(".node .label") && [...document.querySelectorAll(".node .label")].some((l) => l.textContent.startsWith("<img")) }));
      assert(text.diag.startsWith(XSS) && text.h2 === XSS && text.label, `payload not shown as text: ${JSON.stringify(text)}`);
      assert(text.imgs === 0 && dialogs.length === 0, `payload became markup (${text.imgs} img, ${dialogs.length} dialogs)`);
    });

    await check("keyboard: arrows follow edges, Enter opens details, Accept posts a typed request", async () => {
      await tab.locator(".graph-canvas").focus();
      await tab.keyboard.press("Home");
      assert((await tab.evaluate(() => document.activeElement.getAttribute("data-id"))) === "n0", "Home did not focus the root");
      await tab.keyboard.press("ArrowDown");
      const child = await tab.evaluate(() => document.activeElement.getAttribute("data-id"));
      assert(child !== "n0" && child !== null, "ArrowDown did not move to a child");
      await tab.keyboard.press("ArrowUp");
      assert((await tab.evaluate(() => document.activeElement.getAttribute("data-id"))) === "n0", "ArrowUp did not return to the parent");
      await tab.keyboard.press("ArrowDown");
      await tab.keyboard.press("Enter");
      await tab.locator(".details h2", { hasText: child }).waitFor({ timeout: 5000 });
      const acceptable = await tab.locator('vscode-button:not([disabled])', { hasText: "Accept" }).count();
      if (acceptable) {
        await tab.locator("vscode-button", { hasText: "Accept" }).click();
        await tab.waitForFunction((id) => window.__sent.some((m) => m.method === "accept" && m.params.nodeId === id), child, { timeout: 5000 });
      }
      assert(await tab.evaluate(() => !!customElements.get("vscode-button")), "toolkit button not registered");
    });

    await check("zoom/pan by keyboard and wheel persist in setState; a reload restores zoom and selection", async () => {
      const k0 = await tab.evaluate(() => window.__state?.transform?.k ?? 1);
      await tab.locator(".graph-canvas").focus();
      await tab.keyboard.press("+");
      const k1 = await tab.evaluate(() => window.__state.transform.k);
      assert(k1 > k0, `+ did not zoom in (${k0} → ${k1})`);
      await tab.mouse.move(400, 400);
      await tab.mouse.wheel(0, 300);
      const saved = await tab.evaluate(() => window.__state);
      assert(saved.transform.k < k1 && saved.selectedId, `wheel did not zoom out or no selection saved: ${JSON.stringify(saved)}`);
      const restored = await context.newPage();
      restored.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && consoleCsp.push(m.text()));
      await restored.goto(page("restored.html", saved));
      await restored.waitForFunction(() => window.__sent.some((m) => m.type === "ready"), null, { timeout: 10_000 });
      await restored.evaluate(({ details }) => (window.__handlers = { details: (p) => ({ ...details, node: { ...details.node, id: p.nodeId } }) }), { details: syntheticDetails(hostile.nodes[2], "d") });
      await renderOnce(restored, hostile);
      const transform = await restored.evaluate(() => document.querySelector(".viewport").getAttribute("transform"));
      assert(transform.includes(`scale(${saved.transform.k})`), `zoom not restored: ${transform}`);
      await restored.locator(".details h2", { hasText: saved.selectedId }).waitFor({ timeout: 5000 });
      const violations = await restored.evaluate(() => window.__violations);
      assert(!violations.length, `CSP violations after reload: ${violations.join("; ")}`);
      await restored.close();
    });

    await check("no CSP violations (securitypolicyviolation events and console)", async () => {
      const violations = await tab.evaluate(() => window.__violations);
      assert(!violations.length && !consoleCsp.length, `violations: ${[...violations, ...consoleCsp].join("; ")}`);
    });

    if (!process.argv.includes("--checks-only")) {
      await tab.bringToFront();
      report = await benchmark(tab, nodeCount, repetitions);
      await tab.screenshot({ path: path.join(outDir, "graph-details.png") });
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok);
  for (const r of results) console.error(`${r.ok ? "PASS" : "FAIL"} ${r.name}${r.ok ? "" : `: ${r.error}`}`);
  console.error(`${results.length - failed.length} passed, ${failed.length} failed`);
  if (process.argv.includes("--checks-only")) console.log(`GRAPH-CHECKS ${JSON.stringify(results)}`);
  if (report) {
    fs.writeFileSync(path.join(outDir, "graphBench.json"), JSON.stringify(report, null, 2));
    console.log(json ? JSON.stringify(report) : `webview: ${report.measured} ms to render ${nodeCount} nodes (next frame), reference ${report.reference} ms for ${report.inputs.referenceNodes} nodes, ratio ${report.ratio}`);
  }
  process.exitCode = failed.length ? 1 : 0;
}

/** Interleaved full renders: N nodes (measured) and N/10 nodes (reference), then zoom frames at N. */
async function benchmark(page, nodeCount, repetitions) {
  const big = syntheticTree(nodeCount, { seed: 11 });
  const small = syntheticTree(Math.max(10, Math.round(nodeCount / 10)), { seed: 11 });
  await renderOnce(page, big); // warm-up (JIT, styles)
  const samples = { big: [], bigRender: [], small: [] };
  for (let i = 0; i < repetitions; i++) {
    const b = await renderOnce(page, big);
    samples.big.push(b.frameMs);
    samples.bigRender.push(b.renderMs);
    samples.small.push((await renderOnce(page, small)).frameMs);
  }
  await renderOnce(page, big);
  const zoomFrames = await page.evaluate(async () => {
    const svg = document.querySelector(".graph-canvas");
    const times = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      svg.dispatchEvent(new WheelEvent("wheel", { deltaY: i % 2 ? 120 : -120, clientX: 400, clientY: 300, bubbles: true, cancelable: true }));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      times.push(performance.now() - t0);
    }
    return times;
  });
  const measured = median(samples.big);
  const reference = median(samples.small);
  return {
    name: "webview",
    ratio: round(measured / reference),
    reference: round(reference),
    measured: round(measured),
    unit: "ms",
    repetitions,
    goal: `${nodeCount} nodes rendered to the next frame in ≤ 100 ms; zoom/pan frames ≤ 16 ms`,
    inputs: { nodes: nodeCount, referenceNodes: small.nodes.length, seed: 11, browser: "chromium (headless, --disable-gpu)", page: "graphHtml() with the production CSP, dist-equivalent minified bundle" },
    details: {
      renderMsMedian: round(median(samples.bigRender)),
      zoomFrameMsMedian: round(median(zoomFrames)),
      samplesMs: samples.big.map(round),
      renderSamplesMs: samples.bigRender.map(round),
      referenceSamplesMs: samples.small.map(round),
      zoomFrameSamplesMs: zoomFrames.map(round),
    },
  };
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
