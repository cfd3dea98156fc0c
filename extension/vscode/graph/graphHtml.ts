// The archive graph page: a strict CSP (nothing by default; the script only by nonce; styles, fonts
// and images only from the webview's cspSource, plus the nonce for styles) around one root element and the webview bundle.
// No `vscode` import: the e2e benchmark builds the same page outside VS Code.
import { randomBytes } from "node:crypto";

export interface GraphHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `asWebviewUri` of dist/webview.js and media/graph.css. */
  scriptUri: string;
  styleUri: string;
  nonce?: string;
  /** Extra script (tests only: a fake acquireVsCodeApi), run with the same nonce before the bundle. */
  preludeScript?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString("base64url");
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function graphContentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The nonce lets the toolkit's one probe <style> (FAST's focus-visible check, which reads the
    // `csp-nonce` meta) in; no 'unsafe-inline'.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
  ].join("; ");
}

export function graphHtml(options: GraphHtmlOptions): string {
  const nonce = options.nonce ?? makeNonce();
  const prelude = options.preludeScript ? `\n  <script nonce="${nonce}">${options.preludeScript.replace(/<\//g, "<\\/")}</script>` : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(graphContentSecurityPolicy(options.cspSource, nonce))}">
  <meta property="csp-nonce" content="${nonce}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
  <title>Clade: Archive Graph</title>
</head>
<body>
  <main id="root" class="app"></main>${prelude}
  <script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}
