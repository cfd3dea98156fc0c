// Where scripts/setupLlamaServer.mjs caches llama-server: <cache>/llama-server/<llama.cpp tag of the
// node-llama-cpp in `root`>/bin/llama-server (the script computes the same path; it cannot import TS).
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export function llamaServerPath(root: string): string {
  const tag = (JSON.parse(readFileSync(path.join(root, "node_modules", "node-llama-cpp", "llama", "llama.cpp.info.json"), "utf8")) as { tag: string }).tag;
  const cache = process.env.CLADE_CACHE_DIR ?? path.join(os.homedir(), ".cache", "clade");
  return path.join(cache, "llama-server", tag, "bin", process.platform === "win32" ? "llama-server.exe" : "llama-server");
}
