// downloadModel against a real HTTP server on 127.0.0.1: progress, a connection dropped half way
// (the attempt fails and keeps the partial file), resume with Range requests, cache hits, and an
// unreachable host.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import type { ProgressValue } from "../../extension/protocol/engine";
import { downloadModel } from "../../extension/engine/model/downloadModel";

const chunk = 5 * 1024 * 1024; // ipull's resume granularity
let dir: string;
let body: Buffer;
let server: Server;
let baseUrl: string;
/** "drop": serve only the first half of the file, cut every connection there. */
let mode: "drop" | "ok" = "ok";
const requests: { method: string; range?: string; sent: number; mode: string }[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const record = { method: req.method ?? "", range: req.headers.range, sent: 0, mode };
  requests.push(record);
  const common = { "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" };
  if (req.method === "HEAD") {
    res.writeHead(200, { ...common, "Content-Length": body.length });
    res.end();
    return;
  }
  const match = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
  const start = match ? Number(match[1]) : 0;
  const end = match && match[2] ? Number(match[2]) : body.length - 1;
  const headers = { ...common, "Content-Length": end - start + 1, ...(match ? { "Content-Range": `bytes ${start}-${end}/${body.length}` } : {}) };
  res.writeHead(match ? 206 : 200, headers);
  const limit = mode === "drop" ? Math.min(end + 1, body.length / 2) : end + 1;
  if (limit > start) {
    res.write(body.subarray(start, limit));
    record.sent = limit - start;
  }
  if (limit <= end) setTimeout(() => req.socket.destroy(), 20);
  else res.end();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "clade-dl-"));
  // A GGUF-looking body of 2.4 chunks, so half of it contains one whole chunk.
  body = Buffer.concat([Buffer.from("GGUF"), randomBytes(Math.floor(chunk * 2.4))]);
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("downloadModel", () => {
  it("fails when the connection drops half way, keeps the partial file, then resumes with Range requests", async () => {
    const url = `${baseUrl}/models/test-model.gguf`;
    const cacheDir = path.join(dir, "cache");
    mode = "drop";
    const first = await downloadModel(url, cacheDir, { stallTimeoutMs: 1500 }).catch((error: unknown) => error);
    expect(CladeError.is(first, "download-failed"), String(first)).toBe(true);
    expect((first as CladeError).message).toMatch(/resumes/);
    const partial = await stat(path.join(cacheDir, "test-model.gguf.ipull"));
    expect(partial.size).toBeGreaterThan(0);
    // ipull's first GET (no Range) only reads headers; the data comes through ranged GETs.
    const droppedSent = requests.filter((r) => r.mode === "drop" && r.range).reduce((sum, r) => sum + r.sent, 0);
    expect(droppedSent).toBeGreaterThanOrEqual(chunk);

    mode = "ok";
    const before = requests.length;
    const progress: ProgressValue[] = [];
    const second = await downloadModel(url, cacheDir, { onProgress: (p) => progress.push(p), stallTimeoutMs: 10_000 });
    const resumed = requests.slice(before).filter((r) => r.method === "GET" && r.range);
    expect(second.cached).toBe(false);
    expect(second.sizeBytes).toBe(body.length);
    // Resumed, not restarted: every GET asked for a range past the completed first chunk.
    expect(resumed.length).toBeGreaterThan(0);
    for (const r of resumed) expect(Number(/bytes=(\d+)-/.exec(r.range ?? "")?.[1])).toBeGreaterThanOrEqual(chunk);
    const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");
    expect(sha(await readFile(second.file))).toBe(sha(body));
    expect(progress.at(-1)?.percentage).toBe(100);
    await expect(stat(`${second.file}.ipull`)).rejects.toThrow();
  });

  it("stops at once when cancelled, keeping the partial file", async () => {
    const cacheDir = path.join(dir, "cache-cancel");
    mode = "drop";
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 800);
    const started = Date.now();
    const error = await downloadModel(`${baseUrl}/models/cancelled.gguf`, cacheDir, { signal: controller.signal }).catch((e: unknown) => e);
    mode = "ok";
    expect(CladeError.is(error, "cancelled"), String(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await stat(path.join(cacheDir, "cancelled.gguf.ipull"))).size).toBeGreaterThan(0);
  });

  it("reports an already complete file as cached without downloading it again", async () => {
    const url = `${baseUrl}/models/cached.gguf`;
    const cacheDir = path.join(dir, "cache2");
    const first = await downloadModel(url, cacheDir);
    expect(first.cached).toBe(false);
    const before = requests.length;
    const again = await downloadModel(url, cacheDir);
    expect(again).toEqual({ ...first, cached: true });
    expect(requests.length).toBe(before);
  });

  it("says download-failed with a fix when the host is unreachable", async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const error = await downloadModel("http://127.0.0.1:9/model.gguf", path.join(dir, "cache3")).catch((e: unknown) => e);
    expect(CladeError.is(error, "download-failed"), String(error)).toBe(true);
    expect((error as CladeError).fix).toMatch(/network/);
  });

  it("an hf: URI fails fast, naming the host, when the Hugging Face endpoint cannot be reached (issue 15.1)", async () => {
    const saved = { MODEL_ENDPOINT: process.env.MODEL_ENDPOINT, HF_ENDPOINT: process.env.HF_ENDPOINT };
    delete process.env.MODEL_ENDPOINT;
    // A port nothing listens on any more: refused at once, as a failed name lookup is with no network.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    process.env.HF_ENDPOINT = `http://127.0.0.1:${port}`;
    try {
      const started = Date.now();
      const error = await downloadModel("hf:someone/some-model-GGUF:Q4_K_M", path.join(dir, "cache-hf")).catch((e: unknown) => e);
      expect(CladeError.is(error, "download-failed"), String(error)).toBe(true);
      expect((error as CladeError).message).toMatch(new RegExp(`hf:someone/some-model-GGUF:Q4_K_M.*127\\.0\\.0\\.1:${port} cannot be reached.*ECONNREFUSED`));
      expect((error as CladeError).fix).toMatch(/network connection \(and proxy settings\)/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("rejects a server answer that is not a GGUF file", async () => {
    const html = createServer((_req, res) => res.end("<html>login</html>"));
    await new Promise<void>((resolve) => html.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(html.address() as AddressInfo).port}/page.gguf`;
    const error = await downloadModel(url, path.join(dir, "cache4")).catch((e: unknown) => e);
    html.close();
    expect(CladeError.is(error, "download-failed"), String(error)).toBe(true);
    expect((error as CladeError).message).toMatch(/not a GGUF/);
  });
});

