// Deletes a sandbox folder even after the code in it made folders read-only (chmod 000/555),
// which makes a plain recursive delete fail with EACCES for a non-root user.
import { chmod, readdir, rm } from "node:fs/promises";
import path from "node:path";

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((entry) => entry.isDirectory()).map((entry) => makeWritable(path.join(dir, entry.name))));
}

export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  }
}
