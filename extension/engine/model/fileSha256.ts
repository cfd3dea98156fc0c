// SHA-256 of a model file, remembered by (path, size, mtime) in a small JSON file, because a node's
// identity includes the model hash and hashing a multi-GB model on every load would take seconds.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ProgressValue } from "../../protocol/engine";
import { cancelledError } from "../../protocol/errors";

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export async function fileSha256(file: string, cacheDir: string, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void } = {}): Promise<string> {
  const info = await stat(file);
  const cacheFile = path.join(cacheDir, "clade-sha256.json");
  const cache = await readCache(cacheFile);
  const known = cache[file];
  if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known.sha256;
  const sha256 = await hashFile(file, info.size, opts);
  cache[file] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
  await mkdir(cacheDir, { recursive: true });
  await writeFile(cacheFile, JSON.stringify(cache, null, 2)).catch(() => undefined);
  return sha256;
}

async function hashFile(file: string, size: number, opts: { signal?: AbortSignal; onProgress?: (p: ProgressValue) => void }): Promise<string> {
  const hash = createHash("sha256");
  let done = 0;
  let lastReport = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) {
    if (opts.signal?.aborted) throw cancelledError("Loading the model");
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    if (opts.onProgress && Date.now() - lastReport > 200) {
      lastReport = Date.now();
      opts.onProgress({ title: "Hashing model", percentage: (100 * done) / Math.max(1, size), done, total: size, unit: "bytes" });
    }
  }
  return hash.digest("hex");
}

async function readCache(cacheFile: string): Promise<Record<string, Entry>> {
  try {
    return JSON.parse(await readFile(cacheFile, "utf8")) as Record<string, Entry>;
  } catch {
    return {};
  }
}
