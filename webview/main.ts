// Entry of the webview browser bundle (dist/webview.js): the archive graph panel. The host page
// (extension/vscode/graph/graphHtml.ts) loads it with a nonce under a strict CSP.
import { GraphApp } from "./graphApp";
import { HostConnection } from "./hostConnection";

const root = document.getElementById("root");
if (root) new GraphApp(root, HostConnection.acquire());
