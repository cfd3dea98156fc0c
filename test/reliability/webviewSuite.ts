// Security of the VS Code side (issue: "webview CSP … injected markup rendered inert; nothing the
// agent or a task says is executed by the extension host"). Static checks of the graph page and
// the sources, then the graph webview in a real browser (test/e2e/graphBench.mjs --checks-only:
// Debian chromium, the production CSP, hostile node ids, task ids, file paths and diagnoses).
// Untrusted workspaces are covered end to end in a real VS Code by test/e2e/restrictedTest.mjs.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { graphContentSecurityPolicy, graphHtml } from "../../extension/vscode/graph/graphHtml";
import { SuiteReport } from "./suiteReport";

const report = new SuiteReport("webview");
const root = process.cwd();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

await report.attempt("CSP: nothing by default, scripts only by nonce, no unsafe-inline / unsafe-eval", async () => {
  const csp = graphContentSecurityPolicy("https://webview.example", "N0nce");
  const directives = new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  const ok = directives.get("default-src")?.join(" ") === "'none'" && directives.get("script-src")?.join(" ") === "'nonce-N0nce'" && !/unsafe/.test(csp) && !csp.includes("*");
  return { ok, detail: csp };
});

await report.attempt("the page: every script carries the nonce, no inline handlers, a fresh 144-bit nonce per page", async () => {
  const html = graphHtml({ cspSource: "https://webview.example", scriptUri: "https://webview.example/webview.js", styleUri: "https://webview.example/graph.css" });
  const nonce = /'nonce-([^']+)'/.exec(html)?.[1] ?? "";
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  const handlers = html.match(/\son[a-z]+\s*=/gi) ?? [];
  const other = /'nonce-([^']+)'/.exec(graphHtml({ cspSource: "x", scriptUri: "x", styleUri: "x" }))?.[1];
  const ok = scripts.length > 0 && scripts.every((s) => s.includes(`nonce="${nonce}"`)) && handlers.length === 0 && Buffer.from(nonce, "base64url").length >= 18 && other !== nonce;
  return { ok, detail: `${scripts.length} script tag(s), all with the nonce; ${handlers.length} inline handlers; nonce ${Buffer.from(nonce, "base64url").length * 8} bits, differs per page: ${other !== nonce}` };
});

await report.attempt("a hostile script URI cannot break out of its attribute", async () => {
  const html = graphHtml({ cspSource: "x", scriptUri: `x"><script>alert(1)</script>`, styleUri: `y"><img src=x onerror=alert(1)>` });
  const ok = !html.includes("<script>alert") && !html.includes("<img");
  return { ok, detail: ok ? "escaped" : html };
});

await report.attempt("webview sources never use an HTML parser sink (innerHTML, outerHTML, insertAdjacentHTML, document.write, eval, new Function)", async () => {
  const hits = sources(path.join(root, "webview")).flatMap((file) => {
    const text = readFileSync(file, "utf8").replace(/^\s*\/\/.*$/gm, "");
    return /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(text) ? [path.relative(root, file)] : [];
  });
  return { ok: hits.length === 0, detail: hits.length ? `found in ${hits.join(", ")}` : `${sources(path.join(root, "webview")).length} files clean` };
});

await report.attempt("the extension host runs nothing it is told: no child_process, terminal, task, eval or trusted Markdown in extension/vscode", async () => {
  const files = sources(path.join(root, "extension", "vscode"));
  const hits = files.flatMap((file) => {
    const text = readFileSync(file, "utf8").replace(/^\s*\/\/.*$/gm, "");
    const found = [/from "node:child_process"|require\("child_process"\)/, /createTerminal\(/, /tasks\.executeTask\(/, /\beval\(|new Function\(/, /isTrusted\s*=\s*true|new vscode\.MarkdownString\([^)]*,\s*true\)/, /enableCommandUris/].filter((re) => re.test(text));
    return found.length ? [`${path.relative(root, file)} (${found.map(String).join(", ")})`] : [];
  });
  return { ok: hits.length === 0, detail: hits.length ? hits.join("; ") : `${files.length} files: the engine is the only process started (through EngineClient, a fixed bundle)` };
});

// The graph in a real browser, under the production CSP.
const run = spawnSync(process.execPath, [path.join(root, "test", "e2e", "graphBench.mjs"), "--checks-only", "--out", path.join(root, "test-output", "reliability-webview")], { cwd: root, encoding: "utf8", timeout: 300_000 });
const line = run.stdout?.split("\n").find((l) => l.startsWith("GRAPH-CHECKS "));
const checks = line ? (JSON.parse(line.slice("GRAPH-CHECKS ".length)) as { name: string; ok: boolean; error?: string }[]) : [];
if (!checks.length) report.add("graph webview in chromium", false, `the browser checks did not run (exit ${run.status}${run.signal ? `, ${run.signal}` : ""}): ${(run.stderr || run.error?.message || "").trim().slice(-400)}`);
for (const check of checks) report.add(`browser: ${check.name}`, check.ok, check.ok ? "held in headless chromium under the production CSP" : check.error ?? "failed");
report.print();
