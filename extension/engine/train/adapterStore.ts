// Where a workspace keeps its trained adapters: `.clade/adapters/<sha256>.gguf`, named by content
// so an archive node's identity.adapterHash names its file, and which adapters to attach for a
// version (an adapter node: its own; any other version: none of the workspace's adapters).
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { CladeError } from "../../protocol/errors";
import type { LoraSpec } from "../../protocol/model";

export function adaptersDir(workspace: string): string {
  return path.join(path.resolve(workspace), ".clade", "adapters");
}

export function adapterFile(workspace: string, adapterHash: string): string {
  return path.join(adaptersDir(workspace), `${adapterHash}.gguf`);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Moves a freshly trained adapter into the store under its sha256; returns the hash and the file. */
export async function storeAdapter(workspace: string, trained: string): Promise<{ adapterHash: string; file: string }> {
  const adapterHash = await sha256File(trained);
  const file = adapterFile(workspace, adapterHash);
  await mkdir(path.dirname(file), { recursive: true });
  if (existsSync(file)) await rm(trained, { force: true });
  else await rename(trained, file);
  return { adapterHash, file };
}

/** The adapter file of a version (null: a plain version); throws when the archive names a file that is gone. */
export function versionAdapter(workspace: string, version: { id: string; identity: { adapterHash: string | null } }): string | null {
  const hash = version.identity.adapterHash;
  if (!hash) return null;
  const file = adapterFile(workspace, hash);
  if (!existsSync(file)) {
    throw new CladeError("model-missing", `Version ${version.id} uses the LoRA adapter ${hash.slice(0, 12)}, whose file ${file} is missing.`, "Restore the .clade/adapters/ folder of this workspace, or run another version.");
  }
  return file;
}

/**
 * The adapters to attach for a version, given what is attached now: an adapter version gets
 * exactly its adapter; a plain version keeps the user's own adapters but drops this workspace's.
 */
export function loraForVersion(workspace: string, current: readonly LoraSpec[], versionAdapterFile: string | null): LoraSpec[] {
  if (versionAdapterFile) return [{ file: versionAdapterFile, scale: 1 }];
  const store = adaptersDir(workspace) + path.sep;
  return current.filter((lora) => !path.resolve(lora.file).startsWith(store));
}
