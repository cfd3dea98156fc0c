// TaskFiles for tasks whose files are lists of entries (builtin, polyglot, tasks.yaml).
import { createHash } from "node:crypto";
import type { FileEntry } from "./fileEntries";
import { hashEntries, writeEntries } from "./fileEntries";
import type { TaskFiles } from "./types";

export interface EntryTaskFilesSpec {
  start: readonly FileEntry[];
  tests: readonly FileEntry[];
  /** Written over the starting files to get the reference solution. */
  reference?: readonly FileEntry[];
  /** Rewrites a hidden test's content when it is installed (e.g. `xtest` → `test`). */
  transformTest?: (entry: FileEntry, content: Buffer) => Buffer;
  /** Extra facts that change the outcome (test command, timeout): part of the content hash. */
  hashSalt: string;
}

export function entryTaskFiles(spec: EntryTaskFilesSpec): TaskFiles {
  let hashed: Promise<string> | undefined;
  const files: TaskFiles = {
    writeStart: (dir) => writeEntries(spec.start, dir),
    writeHiddenTests: (dir) => writeEntries(spec.tests, dir, spec.transformTest),
    contentHash: () => (hashed ??= computeHash(spec)),
  };
  const reference = spec.reference;
  if (reference) files.writeReference = (dir) => writeEntries(reference, dir);
  return files;
}

async function computeHash(spec: EntryTaskFilesSpec): Promise<string> {
  const parts = [
    spec.hashSalt,
    await hashEntries(spec.start),
    await hashEntries(spec.tests),
    spec.reference ? await hashEntries(spec.reference) : "-",
  ];
  return createHash("sha256").update(parts.join("\n")).digest("hex");
}
