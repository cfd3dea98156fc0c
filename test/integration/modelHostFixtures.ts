// Shared setup for the model host integration tests: the real stories260K model (or
// CLADE_TEST_MODEL), temp folders, and a host that records its log.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LogEntry } from "../../extension/protocol/engine";
import { ModelHost } from "../../extension/engine/model/modelHost";

/** stories260K: llama arch, 5 layers, 512-token vocab, no chat template (see /work/shared/models/README.md). */
export function storiesModel(): string {
  const candidates = [process.env.CLADE_TEST_MODEL, path.resolve(__dirname, "../../../shared/models/stories260K.gguf")].filter((c): c is string => !!c);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`stories260K.gguf not found (looked at ${candidates.join(", ")}). Set CLADE_TEST_MODEL to a small llama GGUF (e.g. ggml-org's stories260K.gguf).`);
  }
  return found;
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function recordingHost(cacheDir: string, level: LogEntry["level"] = "warn"): { host: ModelHost; logs: LogEntry[] } {
  const logs: LogEntry[] = [];
  const host = new ModelHost({ log: (entry) => logs.push(entry), defaultCacheDir: cacheDir, llamaLogLevel: level });
  return { host, logs };
}
