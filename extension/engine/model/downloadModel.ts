// Downloads a model from an `hf:` URI or an http(s) URL into a cache folder with node-llama-cpp's
// downloader (ipull): progress, and resume from the partial `<file>.ipull` a failed or cancelled
// attempt leaves behind. A small index (clade-downloads.json) maps each URI to its finished file,
// so an already-downloaded model is found without touching the network (works offline).
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { createModelDownloader, type ModelDownloader } from "node-llama-cpp";
import type { DownloadResult, ProgressValue } from "../../protocol/engine";
import { CladeError, cancelledError } from "../../protocol/errors";
import { checkGgufMagic } from "./validateGguf";

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ProgressValue) => void;
  /** Give up when no new bytes arrive for this long (the partial file is kept). Default 60 s. */
  stallTimeoutMs?: number;
}

const indexName = "clade-downloads.json";
const probeTimeoutMs = 15_000;

export function isDownloadUri(source: string): boolean {
  return /^(hf:|https?:\/\/)/i.test(source);
}

export async function downloadModel(uri: string, cacheDir: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  if (!isDownloadUri(uri)) {
    throw new CladeError("invalid-argument", `"${uri}" is not a download URI.`, "Use hf:<user>/<repo>:<quant>, hf:<user>/<repo>/<file>.gguf or an http(s) URL.");
  }
  if (opts.signal?.aborted) throw cancelledError("The download");
  await mkdir(cacheDir, { recursive: true });
  const known = await findInIndex(cacheDir, uri);
  if (known) return { ...known, cached: true };
  if (/^https?:/i.test(uri)) await probe(uri, opts.signal);
  // An hf: URI is resolved through the Hugging Face API, which ipull retries for minutes when the
  // host cannot be reached (no network, DNS, proxy): ask the host once, quickly, first.
  else await probe(huggingFaceEndpoint(), opts.signal, uri);
  const downloader = await createDownloader(uri, cacheDir, opts);
  const file = downloader.entrypointFilePath;
  const cached = (await isComplete(file, downloader.totalSize)) && !(await exists(`${file}.ipull`));
  if (!cached) await runDownload(downloader, uri, opts);
  await checkGgufMagic(file, "model").catch(async (error: unknown) => {
    await rm(file, { force: true }); // so the next attempt downloads it again
    throw failed(uri, `the server sent something that is not a GGUF model (${error instanceof CladeError ? error.message : String(error)})`, "Check the URI points to a .gguf file.");
  });
  const sizeBytes = (await stat(file)).size;
  await addToIndex(cacheDir, uri, { file, sizeBytes });
  return { file, sizeBytes, cached };
}

async function createDownloader(uri: string, cacheDir: string, opts: DownloadOptions): Promise<ModelDownloader> {
  try {
    return await createModelDownloader({
      modelUri: uri,
      dirPath: cacheDir,
      showCliProgress: false,
      skipExisting: true,
      // Keep the partial file when cancelled, so the next attempt resumes.
      deleteTempFileOnCancel: false,
      onProgress: progressReporter(uri, opts.onProgress),
    });
  } catch (error) {
    if (opts.signal?.aborted) throw cancelledError("The download");
    throw failed(uri, describe(error), fixFor(uri));
  }
}

/**
 * Runs the download; a stall (no new bytes for stallTimeoutMs), an error or the caller's signal
 * ends it, keeping the partial file. ipull keeps retrying a broken chunk for minutes and does not
 * stop on cancel while it waits between retries, so we stop waiting for it ourselves.
 */
async function runDownload(downloader: ModelDownloader, uri: string, opts: DownloadOptions): Promise<void> {
  const stallMs = opts.stallTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let best = downloader.downloadedSize;
  let lastProgressAt = Date.now();
  let stalled = false;
  const watchdog = setInterval(() => {
    if (downloader.downloadedSize > best) {
      best = downloader.downloadedSize;
      lastProgressAt = Date.now();
    } else if (Date.now() - lastProgressAt > stallMs) {
      stalled = true;
      controller.abort();
    }
  }, Math.min(1000, Math.max(50, stallMs / 4)));
  const stopped = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener("abort", () => {
      // Close ipull's file before a next attempt opens it (bounded: close must not hang us).
      const closing = downloader.cancel({ deleteTempFile: false }).catch(() => undefined);
      void Promise.race([closing, delay(2000)]).then(() => reject(new Error("stopped")));
    });
  });
  const download = downloader.download();
  download.catch(() => undefined);
  try {
    await Promise.race([download, stopped]);
  } catch (error) {
    if (opts.signal?.aborted) throw cancelledError("The download");
    const kept = "the partial file is kept; downloading again resumes it";
    if (stalled) throw failed(uri, `no data arrived for ${Math.round(stallMs / 1000)} s (${kept})`, fixFor(uri));
    throw failed(uri, `${describe(error)} (${kept})`, fixFor(uri));
  } finally {
    clearInterval(watchdog);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Where hf: URIs are resolved, as node-llama-cpp decides it: $MODEL_ENDPOINT, $HF_ENDPOINT (a mirror), or huggingface.co. */
export function huggingFaceEndpoint(): string {
  const valid = (value: string | undefined) => value && /^https?:\/\//i.test(value) ? value : undefined;
  return (valid(process.env.MODEL_ENDPOINT) ?? valid(process.env.HF_ENDPOINT) ?? "https://huggingface.co").replace(/\/+$/, "");
}

/** ipull retries an unreachable host for many minutes; ask once, quickly, before handing it over. */
async function probe(url: string, signal?: AbortSignal, forUri = url): Promise<void> {
  const timeout = AbortSignal.timeout(probeTimeoutMs);
  try {
    const response = await fetch(url, { method: "HEAD", redirect: "follow", signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (response.status === 404 || response.status === 410) throw failed(url, `the server answered ${response.status} (not found)`, "Check the URL.");
    if (response.status === 401 || response.status === 403) {
      throw failed(url, `the server answered ${response.status} (access denied)`, "The file needs authorization: download it in a browser and set clade.model.path to the file.");
    }
  } catch (error) {
    if (error instanceof CladeError) throw error;
    if (signal?.aborted) throw cancelledError("The download");
    const reason = timeout.aborted ? `no answer within ${probeTimeoutMs / 1000} s` : describe(error);
    throw failed(forUri, `the host ${new URL(url).host} cannot be reached (${reason})`, fixFor(forUri));
  }
}

function progressReporter(uri: string, onProgress: DownloadOptions["onProgress"]) {
  if (!onProgress) return undefined;
  const name = uri.split(/[/:]/).pop() ?? uri;
  let lastAt = 0;
  return (status: { totalSize: number; downloadedSize: number }) => {
    const now = Date.now();
    const done = status.totalSize > 0 && status.downloadedSize >= status.totalSize;
    if (!done && now - lastAt < 100) return;
    lastAt = now;
    const percentage = status.totalSize > 0 ? Math.min(100, (status.downloadedSize / status.totalSize) * 100) : undefined;
    onProgress({
      title: "Downloading model",
      message: `${name}: ${mb(status.downloadedSize)} of ${mb(status.totalSize)} MB`,
      percentage,
      done: status.downloadedSize,
      total: status.totalSize,
      unit: "bytes",
    });
  };
}

interface IndexEntry {
  file: string;
  sizeBytes: number;
}

async function readIndex(cacheDir: string): Promise<Record<string, IndexEntry>> {
  try {
    return JSON.parse(await readFile(path.join(cacheDir, indexName), "utf8")) as Record<string, IndexEntry>;
  } catch {
    return {};
  }
}

async function findInIndex(cacheDir: string, uri: string): Promise<IndexEntry | undefined> {
  const entry = (await readIndex(cacheDir))[uri];
  if (!entry || !(await isComplete(entry.file, entry.sizeBytes)) || (await exists(`${entry.file}.ipull`))) return undefined;
  return entry;
}

async function addToIndex(cacheDir: string, uri: string, entry: IndexEntry): Promise<void> {
  const index = await readIndex(cacheDir);
  index[uri] = entry;
  await writeFile(path.join(cacheDir, indexName), JSON.stringify(index, null, 2));
}

async function isComplete(file: string, size: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && info.isFile() && size > 0 && info.size === size;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

function failed(uri: string, why: string, fix: string): CladeError {
  return new CladeError("download-failed", `Downloading ${uri} failed: ${why}.`, fix, { uri });
}

function fixFor(uri: string): string {
  return uri.startsWith("hf:")
    ? "Check the network connection (and proxy settings) and that the hf: URI names an existing repository and file, then try again; or download the .gguf yourself and set clade.model.path to its absolute path."
    : "Check the network connection (and proxy settings) and the URL, then try again (a partial download resumes); or download the .gguf yourself and set clade.model.path to its absolute path.";
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${error.message}: ${cause.code}` : cause?.message ? `${error.message}: ${cause.message}` : error.message;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
