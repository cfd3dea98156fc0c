// Entry of the webview browser bundle (dist/webview.js). The archive graph panel that will live
// here (tree layout, score chart, node details; controls behind webview/ui/) is not built yet:
// this bundle is only the build target so the pipeline, CSP and packaging are in place.
export {};
